import type { Redis } from 'ioredis';

/** What the resolve endpoint needs, cached per alias. */
export interface CachedResolution {
  canonical: string;
  expiresAt: string | null;
  /** Version of `<tenant>/registry` the value comes from. */
  version: number;
}

export const aliasResolveKey = (keyPrefix: string, tenant: string, context: string, alias: string): string => `${keyPrefix}:aliases:resolve:${tenant}:${context}:${alias}`;

/** Channel of change notices: `{context, tenant, key, version}` (shared with the other read models). */
export const aliasChangesChannel = (keyPrefix: string): string => `${keyPrefix}:changes`;

/** Cached resolutions expire so a missed invalidation heals by itself; never later than the alias itself. */
const TTL_MS = 3_600_000;

// Writes only a newer version: two writers (projector, read-through) may race, the newest wins.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded['version']) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Caches a resolution unless a newer one is there; an already expired alias is not cached. */
export async function cacheResolution(redis: Redis, keyPrefix: string, tenant: string, context: string, alias: string, value: CachedResolution, now: Date): Promise<boolean> {
  const ttl = value.expiresAt === null ? TTL_MS : Math.min(TTL_MS, Date.parse(value.expiresAt) - now.getTime());
  if (ttl <= 0) return false;
  const written = await redis.eval(SET_IF_NEWER, 1, aliasResolveKey(keyPrefix, tenant, context, alias), JSON.stringify(value), String(value.version), String(ttl));
  return written === 1;
}

export async function forgetResolution(redis: Redis, keyPrefix: string, tenant: string, context: string, alias: string): Promise<void> {
  await redis.del(aliasResolveKey(keyPrefix, tenant, context, alias));
}

export async function readCachedResolution(redis: Redis, keyPrefix: string, tenant: string, context: string, alias: string): Promise<CachedResolution | undefined> {
  const cached = await redis.get(aliasResolveKey(keyPrefix, tenant, context, alias));
  return cached ? (JSON.parse(cached) as CachedResolution) : undefined;
}
