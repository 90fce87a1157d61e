export { pricingProjection, type PricingChange } from './projection';
export {
  readPriceListView,
  readSkuRules,
  readSkuRulesOf,
  type PriceListView,
  type PriceRuleView,
  type SkuRules,
} from './pricing-view';
export { cacheSkuRules, changesChannel, quoteCacheKey, readCachedSkuRules } from './pricing-cache';
