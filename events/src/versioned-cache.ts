import type { Redis } from 'ioredis';
import { batchedGet } from './batched-get';

/** Channel of the projectors' change notices (`ChangeNotice`, change-notice.ts), one per key prefix. */
export const changesChannel = (keyPrefix: string): string => `${keyPrefix}:changes`;

/** Cached read-model values expire so a missed update heals by itself. */
export const CACHE_TTL_MS = 3_600_000;

const tombstoneOf = (key: string): string => `${key}:gone`;

// Writes only a newer version: the projector and read-throughs race, the newest wins. The
// tombstone a delete leaves keeps a read-through that read PostgreSQL before the delete
// committed from bringing the old value back.
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

// Deletes the value and remembers the version that removed it (newest wins).
const DELETE_AT = `
local gone = redis.call('GET', KEYS[2])
if gone and tonumber(gone) >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Caches `value` unless the cache holds its version or a newer one (or a newer delete); true when written. */
export async function cacheIfNewer(
  redis: Redis,
  key: string,
  value: { version: number },
  ttlMs: number = CACHE_TTL_MS,
): Promise<boolean> {
  const written = await redis.eval(
    SET_IF_NEWER,
    2,
    key,
    tombstoneOf(key),
    JSON.stringify(value),
    String(value.version),
    String(Math.ceil(ttlMs)),
  );
  return written === 1;
}

/** Removes a value deleted at `version`, leaving a tombstone that refuses older writes. */
export async function uncacheAt(
  redis: Redis,
  key: string,
  version: number,
  ttlMs: number = CACHE_TTL_MS,
): Promise<void> {
  await redis.eval(DELETE_AT, 2, key, tombstoneOf(key), String(version), String(Math.ceil(ttlMs)));
}

/** A cached value, its read batched with the others of the turn (batched-get.ts). */
export async function readCached<T>(redis: Redis, key: string): Promise<T | undefined> {
  const cached = await batchedGet(redis, key);
  return cached ? (JSON.parse(cached) as T) : undefined;
}
