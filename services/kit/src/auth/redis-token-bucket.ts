import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { memoryTokenBuckets, type BucketRule, type Take } from './token-bucket';

/**
 * `takeToken` of ./token-bucket in Lua, so that refilling, taking and saving a bucket is one
 * atomic round trip. The time is Redis's own, so instances whose clocks differ agree on every
 * bucket; a bucket expires once it would be full again, so idle keys do not accumulate.
 * KEYS[1]: the bucket; ARGV: capacity, window in ms, tokens wanted (a lease, see below).
 * Returns tokens granted (0 when refused, at most the whole tokens there were), whole tokens
 * left, ms until the next token (0 while one is left), ms until full.
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
local granted = math.min(tonumber(ARGV[3]), math.floor(tokens))
if granted < 0 then granted = 0 end
tokens = tokens - granted
local untilToken = 0
if tokens < 1 then untilToken = math.ceil((1 - tokens) * msPerToken) end
local untilFull = math.ceil((capacity - tokens) * msPerToken)
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], untilFull)
return { granted, math.floor(tokens), untilToken, untilFull }
`;

const COMMAND = 'verityTakeTokens';
interface WithTakeTokens {
  [COMMAND](key: string, capacity: number, windowMs: number, wanted: number): Promise<[number, number, number, number]>;
}

/** Leased tokens not spent within this time are given up: a client that slows down does not keep them. */
const LEASE_MS = 250;
/** The largest lease, as a share of the bucket: what other instances may find taken but unused. */
const MAX_LEASE_SHARE = 1 / 50;

/** Tokens this instance took from a shared bucket ahead of its requests. */
interface Lease {
  tokens: number;
  /** The shared bucket's whole tokens left when the lease was taken. */
  remaining: number;
  msUntilFull: number;
  expiresAt: number;
  /** How many to ask for next time: doubled when a lease is spent, halved when one expires unspent. */
  size: number;
  /** The lease being taken from Redis, which concurrent requests wait for instead of asking too. */
  pending?: Promise<void>;
  /** The shared bucket was empty: until then requests are refused here, without asking Redis again. */
  refusedUntil: number;
}

const allowedFrom = (lease: Lease): Take => {
  lease.tokens -= 1;
  return { allowed: true, remaining: lease.remaining + lease.tokens, msUntilToken: 0, msUntilFull: lease.msUntilFull };
};

/**
 * Token buckets in Redis, shared by every instance. A busy key takes its tokens a few at a time
 * (a lease of up to 1/50 of the bucket, grown while it is spent and shrunk when it expires
 * unspent within 250 ms), so a credential sending hundreds of requests a second costs a Redis
 * round trip every few requests, not one each (the round trips were about an eighth of the
 * gateway's CPU). A leased token is taken from the shared bucket, so the limit never lets more
 * through than it allows; at worst a request is refused while another instance holds a few
 * unspent tokens. Buckets of up to 50 requests are taken one token at a time, as before. An
 * empty bucket refuses here until its next token is due, so a flood costs Redis nothing more.
 * While Redis is not ready, or when a command fails, the request takes from this instance's
 * own bucket (at most `maxLocalKeys` held): a limit per instance still applies, and nothing is
 * logged per request (the client logs its connection). A client that never waits for Redis (no
 * offline queue) keeps requests from waiting on it.
 */
export function redisTokenBuckets(
  redis: Redis,
  maxLocalKeys: number,
  now: () => number = () => performance.now(),
): (key: string, rule: BucketRule) => Promise<Take> {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
  const shared = redis as Redis & WithTakeTokens;
  const local = memoryTokenBuckets(maxLocalKeys);
  const leases = new LRUCache<string, Lease>({ max: maxLocalKeys });

  const renew = async (key: string, rule: BucketRule, lease: Lease): Promise<Take> => {
    const maxLease = Math.max(1, Math.floor(rule.capacity * MAX_LEASE_SHARE));
    if (lease.expiresAt <= now()) {
      if (lease.tokens > 0) lease.size = Math.max(1, Math.floor(lease.size / 2));
    } else if (lease.tokens === 0) lease.size = Math.min(maxLease, lease.size * 2);
    lease.size = Math.min(lease.size, maxLease);
    const [granted, remaining, msUntilToken, msUntilFull] = await shared[COMMAND](
      key,
      rule.capacity,
      rule.windowMs,
      lease.size,
    );
    Object.assign(lease, { tokens: granted, remaining, msUntilFull, expiresAt: now() + LEASE_MS });
    if (granted > 0) return allowedFrom(lease);
    lease.refusedUntil = now() + msUntilToken;
    return { allowed: false, remaining, msUntilToken, msUntilFull };
  };

  const take = async (key: string, rule: BucketRule): Promise<Take> => {
    let lease = leases.get(key);
    if (!lease) {
      lease = { tokens: 0, remaining: 0, msUntilFull: 0, expiresAt: 0, size: 1, refusedUntil: 0 };
      leases.set(key, lease);
    }
    if (lease.pending) {
      await lease.pending;
      return take(key, rule);
    }
    const at = now();
    if (lease.tokens > 0 && lease.expiresAt > at) return allowedFrom(lease);
    if (lease.refusedUntil > at)
      return {
        allowed: false,
        remaining: 0,
        msUntilToken: Math.ceil(lease.refusedUntil - at),
        msUntilFull: lease.msUntilFull,
      };
    let done!: () => void;
    lease.pending = new Promise<void>((resolve) => (done = resolve));
    try {
      return await renew(key, rule, lease);
    } finally {
      lease.pending = undefined;
      done();
    }
  };

  return async (key, rule) => {
    if (redis.status !== 'ready') return local(key, rule);
    try {
      return await take(key, rule);
    } catch {
      return local(key, rule);
    }
  };
}
