import type { Redis } from 'ioredis';
import { cacheIfNewer, readCached } from '@verity/events';
import type { StockView } from './stock-view';

export { changesChannel } from '@verity/events';

/** `v2`: the view gained `buffer` (per location and in totals); a new key, so no view of the older shape is served. */
export const stockCacheKey = (keyPrefix: string, tenant: string, sku: string): string =>
  `${keyPrefix}:inventory:stock:v2:${tenant}:${sku}`;

export const cacheStockView = (redis: Redis, keyPrefix: string, view: StockView): Promise<boolean> =>
  cacheIfNewer(redis, stockCacheKey(keyPrefix, view.tenant, view.sku), view);

export const readCachedStockView = (
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  sku: string,
): Promise<StockView | undefined> => readCached<StockView>(redis, stockCacheKey(keyPrefix, tenant, sku));
