import type { Redis } from 'ioredis';
import { cacheIfNewer, changesChannel, readCached, uncacheAt } from '@verity/events';
import type { SkuRules } from './pricing-view';

/** Quotes of one SKU of one list are computed from this entry (the SKU's rules); the projection invalidates it after commit. */
export const quoteCacheKey = (keyPrefix: string, tenant: string, priceListId: string, sku: string): string =>
  `${keyPrefix}:pricing:quote:${tenant}:${priceListId}:${sku}`;

export { changesChannel };

/** Caches the SKU's rules unless the cache holds this list version or a newer one (or a newer invalidation); true when written. */
export async function cacheSkuRules(redis: Redis, keyPrefix: string, entry: SkuRules): Promise<boolean> {
  return cacheIfNewer(redis, quoteCacheKey(keyPrefix, entry.tenant, entry.priceListId, entry.sku), entry);
}

/**
 * Invalidation after the projector committed list version `version` for the SKU: drops the entry and
 * refuses any write older than `version`, so a read-through that read PostgreSQL before the commit
 * cannot restore the old rules, while one that read the committed state may refill it.
 */
export async function invalidateSkuRules(
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  priceListId: string,
  sku: string,
  version: number,
): Promise<void> {
  await uncacheAt(redis, quoteCacheKey(keyPrefix, tenant, priceListId, sku), version - 1);
}

export async function readCachedSkuRules(
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  priceListId: string,
  sku: string,
): Promise<SkuRules | undefined> {
  return readCached<SkuRules>(redis, quoteCacheKey(keyPrefix, tenant, priceListId, sku));
}
