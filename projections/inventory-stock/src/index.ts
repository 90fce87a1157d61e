export { inventoryStockProjection, type StockChange } from './projection';
export { readStockView, type LocationStock, type StockView } from './stock-view';
export { cacheStockView, changesChannel, readCachedStockView, stockCacheKey } from './stock-cache';
