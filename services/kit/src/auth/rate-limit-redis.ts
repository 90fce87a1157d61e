import { Redis } from 'ioredis';
import type { Logger } from '@verity/events';

/**
 * The Redis client of the rate limits. It never waits for Redis: no offline queue, one try per
 * command, so a limiter whose Redis is down fails at once and falls back to its per-instance
 * limit. Connection errors are logged at debug: the fallback is the designed answer, and a
 * Redis outage would otherwise log once per reconnect attempt.
 */
export function rateLimitRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'rate-limit redis unavailable'));
  return redis;
}
