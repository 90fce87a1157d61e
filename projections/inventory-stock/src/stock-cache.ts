import type { Redis } from 'ioredis';
import type { StockView } from './stock-view';

/** `v2`: the view gained `buffer` (per location and in totals); a new key, so no view of the older shape is served. */
export const stockCacheKey = (keyPrefix: string, tenant: string, sku: string): string => `${keyPrefix}:inventory:stock:v2:${tenant}:${sku}`;

/** Channel of change notices: `{context, tenant, key, version}`. */
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

export async function cacheStockView(redis: Redis, keyPrefix: string, view: StockView): Promise<boolean> {
  const written = await redis.eval(SET_IF_NEWER, 1, stockCacheKey(keyPrefix, view.tenant, view.sku), JSON.stringify(view), String(view.version), String(TTL_SECONDS));
  return written === 1;
}

export async function readCachedStockView(redis: Redis, keyPrefix: string, tenant: string, sku: string): Promise<StockView | undefined> {
  const cached = await redis.get(stockCacheKey(keyPrefix, tenant, sku));
  return cached ? (JSON.parse(cached) as StockView) : undefined;
}
