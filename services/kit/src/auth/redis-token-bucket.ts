import type { Redis } from 'ioredis';
import { memoryTokenBuckets, type BucketRule, type Take } from './token-bucket';

/**
 * `takeToken` of ./token-bucket in Lua, so that refilling, taking and saving a bucket is one
 * atomic round trip. The time is Redis's own, so instances whose clocks differ agree on every
 * bucket; a bucket expires once it would be full again, so idle keys do not accumulate.
 * KEYS[1]: the bucket; ARGV: capacity, window in ms.
 * Returns allowed (0|1), whole tokens left, ms until the next token (0 while one is left), ms until full.
 */
const TAKE_TOKEN_LUA = `
local capacity = tonumber(ARGV[1])
local msPerToken = tonumber(ARGV[2]) / capacity
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if held[1] and held[2] then
  tokens = math.min(capacity, tonumber(held[1]) + math.max(0, now - tonumber(held[2])) / msPerToken)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local untilToken = 0
if tokens < 1 then untilToken = math.ceil((1 - tokens) * msPerToken) end
local untilFull = math.ceil((capacity - tokens) * msPerToken)
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], untilFull)
return { allowed, math.floor(tokens), untilToken, untilFull }
`;

const COMMAND = 'verityTakeToken';
interface WithTakeToken {
  [COMMAND](key: string, capacity: number, windowMs: number): Promise<[number, number, number, number]>;
}

/**
 * Token buckets in Redis, shared by every instance, one EVALSHA per request (ioredis loads the
 * script when Redis does not know it yet). While Redis is not ready, or when a command fails,
 * the request takes from this instance's own bucket (at most `maxLocalKeys` held): a limit per
 * instance still applies, and nothing is logged per request (the client logs its connection).
 * A client that never waits for Redis (no offline queue) keeps requests from waiting on it.
 */
export function redisTokenBuckets(
  redis: Redis,
  maxLocalKeys: number,
): (key: string, rule: BucketRule) => Promise<Take> {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
  const shared = redis as Redis & WithTakeToken;
  const local = memoryTokenBuckets(maxLocalKeys);
  return async (key, rule) => {
    if (redis.status !== 'ready') return local(key, rule);
    try {
      const [allowed, remaining, msUntilToken, msUntilFull] = await shared[COMMAND](key, rule.capacity, rule.windowMs);
      return { allowed: allowed === 1, remaining, msUntilToken, msUntilFull };
    } catch {
      return local(key, rule);
    }
  };
}
