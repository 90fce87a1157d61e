import { LRUCache } from 'lru-cache';

/** A bucket of `capacity` tokens, refilled continuously: `capacity` tokens per `windowMs`. */
export interface BucketRule {
  capacity: number;
  windowMs: number;
}

/** A bucket's tokens when it was last taken from. A bucket nobody holds is full. */
export interface BucketState {
  tokens: number;
  atMs: number;
}

/** The answer to one request. */
export interface Take {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Until the next token, when none is left (Retry-After); 0 while one is. */
  msUntilToken: number;
  /** Until the bucket is full again: when it may be forgotten (RateLimit-Reset). */
  msUntilFull: number;
}

/**
 * One request's token: the bucket refilled for the time since it was last taken from, then one
 * token taken if a whole one is there. The Lua script of `redisTokenBucket` is the same arithmetic.
 */
export function takeToken(
  rule: BucketRule,
  state: BucketState | undefined,
  nowMs: number,
): { take: Take; state: BucketState } {
  const msPerToken = rule.windowMs / rule.capacity;
  const refilled = state
    ? Math.min(rule.capacity, state.tokens + Math.max(0, nowMs - state.atMs) / msPerToken)
    : rule.capacity;
  const allowed = refilled >= 1;
  const tokens = allowed ? refilled - 1 : refilled;
  return {
    take: {
      allowed,
      remaining: Math.floor(tokens),
      msUntilToken: tokens < 1 ? Math.ceil((1 - tokens) * msPerToken) : 0,
      msUntilFull: Math.ceil((rule.capacity - tokens) * msPerToken),
    },
    state: { tokens, atMs: nowMs },
  };
}

/**
 * Token buckets in this instance's memory, for when Redis does not answer. The least recently
 * used buckets are forgotten past `maxKeys` (they count as full again), so a flood of addresses
 * cannot grow the heap. `now` is a monotonic clock in ms.
 */
export function memoryTokenBuckets(
  maxKeys: number,
  now: () => number = () => performance.now(),
): (key: string, rule: BucketRule) => Take {
  const buckets = new LRUCache<string, BucketState>({ max: maxKeys });
  return (key, rule) => {
    const { take, state } = takeToken(rule, buckets.get(key), now());
    buckets.set(key, state);
    return take;
  };
}
