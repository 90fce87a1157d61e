import type { Express, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { skuSchema } from '@verity/domain';
import { type Logger } from '@verity/events';
import {
  decodeCursor,
  inventoryStockProjection,
  readLocationStock,
  readLowStock,
} from '@verity/projection-inventory-stock';
import { awaitConsistency, skipsCache } from './consistency';
import { HttpProblem, tenantOf } from '@verity/service-kit';
import { readStock } from './cached-reads';
import { answerConditionally, versionETag } from './conditional';
import { requireRead } from './read-access';
import { intParam, parseParam, parseQuery, validationFailed } from './request';
import type { TenantDb } from './tenant-db';
import type { CheckpointWatch } from './checkpoint-watch';

export interface ReadModelDeps {
  /** The credential check and rate limits, mounted before every route (then the route's read permission). */
  guard: RequestHandler;
  db: TenantDb;
  schema: string;
  redis: Redis;
  cacheKeyPrefix: string;
  logger: Logger;
  /** Events topic the read model is built from (topics, when it reads several contexts): what a consistency token may name. */
  eventsTopic: string | readonly string[];
  /** Upper bound of a wait for a consistency token. */
  consistencyTimeoutMs: number;
  /** Wakes a consistency wait when a checkpoint moves; without it a wait polls. */
  checkpointWatch?: CheckpointWatch;
}

export const locationSchema = z.string().trim().min(1).max(64);
/** Page size of the lists: default 50, at most 500. */
const DEFAULT_LIMIT = 50;
const pageSchema = { limit: intParam(1, 500).optional(), cursor: z.string().min(1).max(512).optional() };
export const locationQuerySchema = z.strictObject(pageSchema);
export const lowStockQuerySchema = z.strictObject({ threshold: intParam(1, 1_000_000_000), ...pageSchema });

function cursorKey(cursor: string | undefined, parts: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, parts);
  if (!key)
    throw validationFailed('Invalid query parameter', [{ path: 'cursor', message: 'not a cursor this list returned' }]);
  return key;
}

export function mountInventoryRoutes(app: Express, deps: ReadModelDeps): void {
  const access = [deps.guard, requireRead('inventory')];
  // Before /v1/inventory/:sku, which would take `low-stock` for a SKU.
  app.get('/v1/inventory/low-stock', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseQuery(lowStockQuerySchema, req.query);
    const after = cursorKey(query.cursor, 2);
    await awaitConsistency(req, res, deps, inventoryStockProjection.name);
    answerConditionally(
      req,
      res,
      await deps.db.read(tenant, (db) =>
        readLowStock(db, deps.schema, tenant, query.threshold, { limit: query.limit ?? DEFAULT_LIMIT, after }),
      ),
    );
  });

  app.get('/v1/inventory/locations/:location', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const location = parseParam(locationSchema, req.params.location, 'location', 'Invalid location');
    const query = parseQuery(locationQuerySchema, req.query);
    const after = cursorKey(query.cursor, 1);
    await awaitConsistency(req, res, deps, inventoryStockProjection.name);
    answerConditionally(
      req,
      res,
      await deps.db.read(tenant, (db) =>
        readLocationStock(db, deps.schema, tenant, location, { limit: query.limit ?? DEFAULT_LIMIT, after }),
      ),
    );
  });

  app.get('/v1/inventory/:sku', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const sku = parseParam(skuSchema, req.params.sku, 'sku', 'Invalid SKU');
    const wait = await awaitConsistency(req, res, deps, inventoryStockProjection.name);
    const { value: view, cache } = await readStock(deps, tenant, sku, skipsCache(wait));
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown SKU', `no stock known for SKU ${sku}`, { sku });
    answerConditionally(req, res, view, versionETag(view.version));
  });
}
