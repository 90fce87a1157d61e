import type { Redis } from 'ioredis';
import type { ProductView } from './product-view';

export const productCacheKey = (keyPrefix: string, tenant: string, sku: string): string => `${keyPrefix}:catalog:product:${tenant}:${sku}`;

/** Channel of change notices, shared with the other read models: `{context, tenant, sku, key, version}`. */
export const changesChannel = (keyPrefix: string): string => `${keyPrefix}:changes`;

/** Cached views expire so a missed invalidation heals by itself. */
const TTL_SECONDS = 3600;

// Writes only a newer version: two writers (projector, read-through) may race, the newest wins.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded['version']) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/** Caches the view unless the cache already holds this version or a newer one; true when written. */
export async function cacheProductView(redis: Redis, keyPrefix: string, view: ProductView): Promise<boolean> {
  const written = await redis.eval(SET_IF_NEWER, 1, productCacheKey(keyPrefix, view.tenant, view.sku), JSON.stringify(view), String(view.version), String(TTL_SECONDS));
  return written === 1;
}

export async function readCachedProductView(redis: Redis, keyPrefix: string, tenant: string, sku: string): Promise<ProductView | undefined> {
  const cached = await redis.get(productCacheKey(keyPrefix, tenant, sku));
  return cached ? (JSON.parse(cached) as ProductView) : undefined;
}
