import type { Redis } from 'ioredis';
import type { Logger } from '@verity/events';
import {
  cacheResolution,
  readAlias,
  readCachedResolution,
  type CachedResolution,
} from '@verity/projection-aliases-registry';
import {
  cacheProductView,
  readCachedProductView,
  readProductView,
  type ProductView,
} from '@verity/projection-catalog-products';
import { cacheStockView, readCachedStockView, readStockView, type StockView } from '@verity/projection-inventory-stock';
import { cacheSkuRules, readCachedSkuRules, readSkuRules, type SkuRules } from '@verity/projection-pricing';
import {
  cacheConflictView,
  readCachedConflictView,
  readConflict as readConflictView,
  type SourceConflictView,
} from '@verity/projection-source-conflicts';
import { readThrough, type CacheOutcome } from './read-through';
import type { TenantDb } from './tenant-db';

/**
 * The single-entity reads of REST and GraphQL alike, each through the read-through cache, so
 * both APIs share one cache path: the same hits, the same refills, the same answer with Redis down.
 */
export interface CachedReadDeps {
  db: TenantDb;
  schema: string;
  redis: Redis;
  cacheKeyPrefix: string;
  logger: Logger;
}

export interface CachedRead<V> {
  value: V | undefined;
  cache: CacheOutcome;
}

/** `skipCache` after a consistency wait (see readThrough). */
export function readStock(
  deps: CachedReadDeps,
  tenant: string,
  sku: string,
  skipCache = false,
): Promise<CachedRead<StockView>> {
  return readThrough(
    deps,
    {
      fromCache: () => readCachedStockView(deps.redis, deps.cacheKeyPrefix, tenant, sku),
      fromDatabase: () => deps.db.read(tenant, (db) => readStockView(db, deps.schema, tenant, sku)),
      toCache: (view) => cacheStockView(deps.redis, deps.cacheKeyPrefix, view),
    },
    skipCache,
  );
}

export function readProduct(
  deps: CachedReadDeps,
  tenant: string,
  sku: string,
  skipCache = false,
): Promise<CachedRead<ProductView>> {
  return readThrough(
    deps,
    {
      fromCache: () => readCachedProductView(deps.redis, deps.cacheKeyPrefix, tenant, sku),
      fromDatabase: () => deps.db.read(tenant, (db) => readProductView(db, deps.schema, tenant, sku)),
      toCache: (view) => cacheProductView(deps.redis, deps.cacheKeyPrefix, view),
    },
    skipCache,
  );
}

/** The active resolution of an alias as of `at`; the caller still judges `expiresAt` (a cached value may have expired since). */
export function readResolution(
  deps: CachedReadDeps,
  tenant: string,
  context: string,
  alias: string,
  at: Date,
  skipCache = false,
): Promise<CachedRead<CachedResolution>> {
  return readThrough(
    deps,
    {
      fromCache: () => readCachedResolution(deps.redis, deps.cacheKeyPrefix, tenant, context, alias),
      fromDatabase: async () => {
        const view = await deps.db.read(tenant, (db) => readAlias(db, deps.schema, tenant, context, alias, at));
        return view && view.status === 'active'
          ? { canonical: view.canonical, expiresAt: view.expiresAt, version: view.version }
          : undefined;
      },
      toCache: (value) => cacheResolution(deps.redis, deps.cacheKeyPrefix, tenant, context, alias, value, at),
    },
    skipCache,
  );
}

/** A SKU's rules of a price list (what a quote is computed from); undefined when the list is unknown. */
export function readPriceRules(
  deps: CachedReadDeps,
  tenant: string,
  priceListId: string,
  sku: string,
  skipCache = false,
): Promise<CachedRead<SkuRules>> {
  return readThrough(
    deps,
    {
      fromCache: () => readCachedSkuRules(deps.redis, deps.cacheKeyPrefix, tenant, priceListId, sku),
      fromDatabase: () => deps.db.read(tenant, (db) => readSkuRules(db, deps.schema, tenant, priceListId, sku)),
      toCache: (entry) => cacheSkuRules(deps.redis, deps.cacheKeyPrefix, entry),
    },
    skipCache,
  );
}

/** One conflict between source systems. */
export function readConflict(
  deps: CachedReadDeps,
  tenant: string,
  conflictId: string,
  skipCache = false,
): Promise<CachedRead<SourceConflictView>> {
  return readThrough(
    deps,
    {
      fromCache: () => readCachedConflictView(deps.redis, deps.cacheKeyPrefix, tenant, conflictId),
      fromDatabase: () => deps.db.read(tenant, (db) => readConflictView(db, deps.schema, tenant, conflictId)),
      toCache: (view) => cacheConflictView(deps.redis, deps.cacheKeyPrefix, view),
    },
    skipCache,
  );
}
