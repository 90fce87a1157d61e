export { inventoryStockProjection } from './projection';
export {
  decodeCursor,
  readLocationStock,
  readLowStock,
  readStockView,
  readStockViews,
  type LocationStock,
  type StockLevelRow,
  type StockPage,
  type StockView,
} from './stock-view';
export { cacheStockView, changesChannel, readCachedStockView, stockCacheKey } from './stock-cache';
