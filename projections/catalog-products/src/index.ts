export { catalogProductsProjection, type ProductChange } from './projection';
export {
  listProductViews,
  readProductView,
  PRODUCT_STATUSES,
  type ProductPageQuery,
  type ProductStatus,
  type ProductView,
} from './product-view';
export { cacheProductView, changesChannel, productCacheKey, readCachedProductView } from './product-cache';
