import type { Redis } from 'ioredis';
import { cacheIfNewer, readCached } from '@verity/events';
import type { ProductView } from './product-view';

export { changesChannel } from '@verity/events';

export const productCacheKey = (keyPrefix: string, tenant: string, sku: string): string =>
  `${keyPrefix}:catalog:product:${tenant}:${sku}`;

/** Caches the view unless the cache already holds this version or a newer one; true when written. */
export const cacheProductView = (redis: Redis, keyPrefix: string, view: ProductView): Promise<boolean> =>
  cacheIfNewer(redis, productCacheKey(keyPrefix, view.tenant, view.sku), view);

export const readCachedProductView = (
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  sku: string,
): Promise<ProductView | undefined> => readCached<ProductView>(redis, productCacheKey(keyPrefix, tenant, sku));
