import type { Redis } from 'ioredis';
import { aliasResolveKey } from '@verity/projection-aliases-registry';
import { productCacheKey } from '@verity/projection-catalog-products';
import { stockCacheKey } from '@verity/projection-inventory-stock';
import { quoteCacheKey } from '@verity/projection-pricing';
import { conflictCacheKey } from '@verity/projection-source-conflicts';

/**
 * The Redis key patterns of each read model's cached values, built with the read model's own key
 * function (`*` for every part), so the format stays in one place. A read model not named caches
 * nothing.
 */
const PATTERNS: Record<string, (keyPrefix: string) => string> = {
  'inventory-stock': (p) => stockCacheKey(p, '*', '*'),
  'catalog-products': (p) => productCacheKey(p, '*', '*'),
  'aliases-registry': (p) => aliasResolveKey(p, '*', '*', '*'),
  pricing: (p) => quoteCacheKey(p, '*', '*', '*'),
  'source-conflicts': (p) => conflictCacheKey(p, '*', '*'),
};

export const cachePatternOf = (projection: string, keyPrefix: string): string | undefined =>
  PATTERNS[projection]?.(keyPrefix);

/** A deleted value's tombstone (`<key>:gone`, see versioned-cache): kept, it refuses older refills. */
const isTombstone = (key: string): boolean => key.endsWith(':gone');

/**
 * Removes the read model's cached values (not their tombstones): after a switch, what the old
 * generation cached is not served; the next read refills from the new one. Returns how many.
 */
export async function forgetCachedValues(redis: Redis, projection: string, keyPrefix: string): Promise<number> {
  const match = cachePatternOf(projection, keyPrefix);
  if (match === undefined) return 0;
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    const values = keys.filter((k) => !isTombstone(k));
    if (values.length > 0) removed += await redis.unlink(...values);
  } while (cursor !== '0');
  return removed;
}
