import type { Redis } from 'ioredis';
import { CACHE_TTL_MS, cacheIfNewer, readCached, uncacheAt } from '@verity/events';

/** What the resolve endpoint needs, cached per alias. */
export interface CachedResolution {
  canonical: string;
  expiresAt: string | null;
  /** Version of `<tenant>/registry` the value comes from. */
  version: number;
}

export const aliasResolveKey = (keyPrefix: string, tenant: string, context: string, alias: string): string =>
  `${keyPrefix}:aliases:resolve:${tenant}:${context}:${alias}`;

/** Channel of change notices (shared with the other read models). */
export { changesChannel as aliasChangesChannel } from '@verity/events';

/** Caches a resolution unless a newer one (or a newer deactivation) is there; an already expired alias is not cached. */
export async function cacheResolution(
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  context: string,
  alias: string,
  value: CachedResolution,
  now: Date,
): Promise<boolean> {
  // Never cached longer than the alias lives.
  const ttl =
    value.expiresAt === null ? CACHE_TTL_MS : Math.min(CACHE_TTL_MS, Date.parse(value.expiresAt) - now.getTime());
  if (ttl <= 0) return false;
  return cacheIfNewer(redis, aliasResolveKey(keyPrefix, tenant, context, alias), value, ttl);
}

/** Deletes the resolution of an alias deactivated at `version` (registry stream version). */
export async function forgetResolution(
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  context: string,
  alias: string,
  version: number,
): Promise<void> {
  await uncacheAt(redis, aliasResolveKey(keyPrefix, tenant, context, alias), version);
}

export async function readCachedResolution(
  redis: Redis,
  keyPrefix: string,
  tenant: string,
  context: string,
  alias: string,
): Promise<CachedResolution | undefined> {
  return readCached<CachedResolution>(redis, aliasResolveKey(keyPrefix, tenant, context, alias));
}
