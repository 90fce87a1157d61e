import type { Redis } from 'ioredis';
import { cacheIfNewer, readCached } from '@verity/events';
import type { SourceConflictView } from './conflict-view';

export { changesChannel } from '@verity/events';

export const conflictCacheKey = (keyPrefix: string, tenant: string, conflictId: string): string =>
  `${keyPrefix}:sources:conflict:${tenant}:${conflictId}`;

/** Caches the view unless the cache already holds this version or a newer one; true when written. */
export const cacheConflictView = (redis: Redis, keyPrefix: string, view: SourceConflictView): Promise<boolean> =>
  cacheIfNewer(redis, conflictCacheKey(keyPrefix, view.tenant, view.conflictId), view);

export const readCachedConflictView = (
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  conflictId: string,
): Promise<SourceConflictView | undefined> =>
  readCached<SourceConflictView>(redis, conflictCacheKey(keyPrefix, tenant, conflictId));
