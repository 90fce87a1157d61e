import type { Logger } from '@verity/events';
import type { Redis } from 'ioredis';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/**
 * The query side's one read-through: the cache when Redis answers, else PostgreSQL (then
 * refill the cache). `skipCache` after a consistency wait: the projector updates the cache only
 * after its commit, so it may still hold the value the token's write replaced. Redis failing
 * makes the read slower (`bypass`), never wrong.
 */
export async function readThrough<V>(
  deps: { redis: Redis; logger: Logger },
  source: {
    fromCache(): Promise<V | undefined>;
    fromDatabase(): Promise<V | undefined>;
    toCache(value: V): Promise<unknown>;
  },
  skipCache = false,
): Promise<{ value: V | undefined; cache: CacheOutcome }> {
  let redisUp = deps.redis.status === 'ready';
  if (redisUp && !skipCache) {
    try {
      const cached = await source.fromCache();
      if (cached !== undefined) return { value: cached, cache: 'hit' };
    } catch (error) {
      redisUp = false;
      deps.logger.warn({ err: error }, 'cache read failed; reading PostgreSQL');
    }
  }
  const value = await source.fromDatabase();
  if (value !== undefined && redisUp) await source.toCache(value).catch(() => undefined);
  return { value, cache: redisUp ? 'miss' : 'bypass' };
}
