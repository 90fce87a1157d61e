import type { Express, Request } from 'express';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { z } from 'zod';
import { tenantIdSchema, type Logger } from '@verity/events';
import { cacheStockView, inventoryStockProjection, readCachedStockView, readStockView, type StockView } from '@verity/projection-inventory-stock';
import { awaitConsistency } from './consistency';
import { HttpProblem } from '@verity/service-kit';

export interface ReadModelDeps {
  db: Knex;
  schema: string;
  redis: Redis;
  cacheKeyPrefix: string;
  logger: Logger;
  /** Events topic the inventory read models are built from. */
  eventsTopic: string;
  /** Upper bound of a wait for a consistency token. */
  consistencyTimeoutMs: number;
}

const skuSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore');

export function tenantOf(req: Request): string {
  const raw = req.get('X-Tenant-Id') ?? 'default';
  const parsed = tenantIdSchema.safeParse(raw);
  if (!parsed.success) throw new HttpProblem(400, 'invalid_header', 'Invalid header', `X-Tenant-Id: ${parsed.error.issues[0]?.message}`, { header: 'X-Tenant-Id' });
  return parsed.data;
}

/**
 * Read-through: the cache when Redis answers, else PostgreSQL (then refill the cache). After a
 * consistency wait the cache is skipped: the projector updates it only after its commit, so
 * it may still hold the value the token's write replaced.
 */
async function stockView(deps: ReadModelDeps, tenant: string, sku: string, skipCache: boolean): Promise<{ view: StockView | undefined; cache: 'hit' | 'miss' | 'bypass' }> {
  let redisUp = deps.redis.status === 'ready';
  if (redisUp && !skipCache) {
    try {
      const cached = await readCachedStockView(deps.redis, deps.cacheKeyPrefix, tenant, sku);
      if (cached) return { view: cached, cache: 'hit' };
    } catch (error) {
      redisUp = false;
      deps.logger.warn({ err: error }, 'cache read failed; reading PostgreSQL');
    }
  }
  const view = await readStockView(deps.db, deps.schema, tenant, sku);
  if (view && redisUp) await cacheStockView(deps.redis, deps.cacheKeyPrefix, view).catch(() => undefined);
  return { view, cache: redisUp ? 'miss' : 'bypass' };
}

export function mountInventoryRoutes(app: Express, deps: ReadModelDeps): void {
  app.get('/v1/inventory/:sku', async (req, res) => {
    const tenant = tenantOf(req);
    const sku = skuSchema.safeParse(req.params.sku);
    if (!sku.success) throw new HttpProblem(400, 'validation_failed', 'Invalid SKU', `sku: ${sku.error.issues[0]?.message}`, { errors: [{ path: 'sku', message: sku.error.issues[0]?.message }] });
    const freshness = await awaitConsistency(req, { db: deps.db, schema: deps.schema, projection: inventoryStockProjection.name, topic: deps.eventsTopic, timeoutMs: deps.consistencyTimeoutMs });
    if (freshness) res.set('X-Consistency', freshness);
    const { view, cache } = await stockView(deps, tenant, sku.data, freshness !== undefined);
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown SKU', `no stock known for SKU ${sku.data}`, { sku: sku.data });
    const etag = `"${view.version}"`;
    res.set('ETag', etag);
    if (req.get('If-None-Match') === etag) {
      res.status(304).end();
      return;
    }
    res.json(view);
  });
}
