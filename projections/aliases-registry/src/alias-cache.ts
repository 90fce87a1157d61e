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
// KEYS[2] is the tombstone a deactivation leaves: a read-through that read PostgreSQL before the
// deactivation committed must not bring the old resolution back.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded['version']) >= tonumber(ARGV[2]) then return 0 end
end
local gone = redis.call('GET', KEYS[2])
if gone and tonumber(gone) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

// Deletes the resolution and remembers the version that removed it (newest wins).
const DELETE_AT = `
local gone = redis.call('GET', KEYS[2])
if gone and tonumber(gone) >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1`;

const tombstoneKey = (key: string): string => `${key}:gone`;

/** Caches a resolution unless a newer one (or a newer deactivation) is there; an already expired alias is not cached. */
export async function cacheResolution(redis: Redis, keyPrefix: string, tenant: string, context: string, alias: string, value: CachedResolution, now: Date): Promise<boolean> {
  const ttl = value.expiresAt === null ? TTL_MS : Math.min(TTL_MS, Date.parse(value.expiresAt) - now.getTime());
  if (ttl <= 0) return false;
  const key = aliasResolveKey(keyPrefix, tenant, context, alias);
  const written = await redis.eval(SET_IF_NEWER, 2, key, tombstoneKey(key), JSON.stringify(value), String(value.version), String(ttl));
  return written === 1;
}

/** Deletes the resolution of an alias deactivated at `version` (registry stream version). */
export async function forgetResolution(redis: Redis, keyPrefix: string, tenant: string, context: string, alias: string, version: number): Promise<void> {
  const key = aliasResolveKey(keyPrefix, tenant, context, alias);
  await redis.eval(DELETE_AT, 2, key, tombstoneKey(key), String(version), String(TTL_MS));
}

export async function readCachedResolution(redis: Redis, keyPrefix: string, tenant: string, context: string, alias: string): Promise<CachedResolution | undefined> {
  const cached = await redis.get(aliasResolveKey(keyPrefix, tenant, context, alias));
  return cached ? (JSON.parse(cached) as CachedResolution) : undefined;
}
