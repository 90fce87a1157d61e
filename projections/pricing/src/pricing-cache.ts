import type { Redis } from 'ioredis';
import type { SkuRules } from './pricing-view';

/** Quotes of one SKU of one list are computed from this entry (the SKU's rules); the projection invalidates it after commit. */
export const quoteCacheKey = (keyPrefix: string, tenant: string, priceListId: string, sku: string): string => `${keyPrefix}:pricing:quote:${tenant}:${priceListId}:${sku}`;

/** Channel of change notices, shared with the other read models. */
export const changesChannel = (keyPrefix: string): string => `${keyPrefix}:changes`;

const TTL_SECONDS = 3600;

// Writes only a newer version. A tombstone (left by the projection's invalidation) at version v
// lets in an entry of version v or newer; a live entry lets in only a strictly newer one.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok then
    local v = tonumber(decoded['version'])
    if decoded['tombstone'] then
      if v > tonumber(ARGV[2]) then return 0 end
    elseif v >= tonumber(ARGV[2]) then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

// Invalidation: replaces whatever is cached with a tombstone of the committed version, unless a newer entry is already there,
// so a read-through that read PostgreSQL before the commit cannot restore the old rules.
const INVALIDATE = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded['version']) > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], cjson.encode({version = tonumber(ARGV[1]), tombstone = true}), 'EX', ARGV[2])
return 1`;

export async function cacheSkuRules(redis: Redis, keyPrefix: string, entry: SkuRules): Promise<boolean> {
  const written = await redis.eval(SET_IF_NEWER, 1, quoteCacheKey(keyPrefix, entry.tenant, entry.priceListId, entry.sku), JSON.stringify(entry), String(entry.version), String(TTL_SECONDS));
  return written === 1;
}

export async function invalidateSkuRules(redis: Redis, keyPrefix: string, tenant: string, priceListId: string, sku: string, version: number): Promise<void> {
  await redis.eval(INVALIDATE, 1, quoteCacheKey(keyPrefix, tenant, priceListId, sku), String(version), '60');
}

/** The cached rules, or undefined on a miss or a tombstone. */
export async function readCachedSkuRules(redis: Redis, keyPrefix: string, tenant: string, priceListId: string, sku: string): Promise<SkuRules | undefined> {
  const cached = await redis.get(quoteCacheKey(keyPrefix, tenant, priceListId, sku));
  if (!cached) return undefined;
  const entry = JSON.parse(cached) as SkuRules & { tombstone?: boolean };
  return entry.tombstone ? undefined : entry;
}
