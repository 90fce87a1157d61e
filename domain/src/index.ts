export { contexts } from './contexts';
export { conflictIdOf } from './conflict-id';
export { skuSchema, SKU_CHARACTERS, SKU_MAX_LENGTH } from './sku';
export {
  accessContext,
  accessDecider,
  apiKeyIdSchema,
  apiKeyRolesSchema,
  apiKeysOf,
  ROLE_GRAMMAR,
  ROLE_PATTERN,
  type AccessCommand,
  type AccessEvent,
  type ApiKeyState,
  type ApiKeyView,
  type KeyFamilyState,
  WEBHOOK_SOURCES,
  shopDomainSchema,
  webhookSecretIdSchema,
  webhookSecretsOf,
  type WebhookSecretView,
  type WebhookSource,
  eventTypePatternSchema,
  MAX_ROTATION_OVERLAP_SECONDS,
  subscriptionMatches,
  subscriptionSecretPlace,
  webhookSubscriptionIdSchema,
  webhookSubscriptionsOf,
  type MatchableEvent,
  type WebhookSubscriptionView,
} from './access';
export {
  aliasesContext,
  aliasesDecider,
  ALIAS_CONTEXTS,
  DEFAULT_GOVERNANCE,
  type AliasContext,
  type AliasesCommand,
  type AliasesEvent,
  type RegistryState,
} from './aliases';
export { catalogContext, catalogDecider, type CatalogCommand, type CatalogEvent, type ProductState } from './catalog';
export {
  availableToPromise,
  inventoryContext,
  inventoryDecider,
  type InventoryCommand,
  type InventoryEvent,
  type StockState,
} from './inventory';
export {
  pricingContext,
  pricingDecider,
  quote,
  ruleOf,
  type PriceListState,
  type PriceRule,
  type PricingCommand,
  type PricingEvent,
  type Quote,
  type QuoteRequest,
  type QuoteRuleName,
} from './pricing';
export {
  authorityDecider,
  sourcesContext,
  GOVERNED_FIELDS,
  type AuthorityRules,
  type AuthorityState,
  type GovernedField,
  type SourcesCommand,
  type SourcesEvent,
} from './sources';
export { conflictIdSchema } from './sources/governance';
