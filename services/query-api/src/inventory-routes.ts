import type { Express, Request } from 'express';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { z } from 'zod';
import { tenantIdSchema } from '@verity/core';
import { skuSchema } from '@verity/domain';
import { type Logger } from '@verity/events';
import { decodeCursor, inventoryStockProjection, readLocationStock, readLowStock } from '@verity/projection-inventory-stock';
import { awaitConsistency } from './consistency';
import { HttpProblem } from '@verity/service-kit';
import { readStock } from './cached-reads';
import { answerConditionally, versionETag } from './conditional';

export interface ReadModelDeps {
  db: Knex;
  schema: string;
  redis: Redis;
  cacheKeyPrefix: string;
  logger: Logger;
  /** Events topic the read model is built from (topics, when it reads several contexts): what a consistency token may name. */
  eventsTopic: string | readonly string[];
  /** Upper bound of a wait for a consistency token. */
  consistencyTimeoutMs: number;
}

export const locationSchema = z.string().trim().min(1).max(64);
/** Query strings arrive as text: an integer within bounds, written in digits only. */
export const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
/** Page size of the lists: default 50, at most 500. */
const DEFAULT_LIMIT = 50;
const pageSchema = { limit: intParam(1, 500).optional(), cursor: z.string().min(1).max(512).optional() };
export const locationQuerySchema = z.strictObject(pageSchema);
export const lowStockQuerySchema = z.strictObject({ threshold: intParam(1, 1_000_000_000), ...pageSchema });

function invalid(title: string, path: string, message: string | undefined): HttpProblem {
  return new HttpProblem(400, 'validation_failed', title, `${path}: ${message}`, { errors: [{ path, message }] });
}

/** Parses the query string; a bad or unknown parameter is a 400 naming it. */
export function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path.join('.') ?? '');
    throw invalid('Invalid query parameter', path, issue?.message);
  }
  return parsed.data;
}

function cursorKey(cursor: string | undefined, parts: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, parts);
  if (!key) throw invalid('Invalid query parameter', 'cursor', 'not a cursor this list returned');
  return key;
}

export function tenantOf(req: Request): string {
  const raw = req.get('X-Tenant-Id') ?? 'default';
  const parsed = tenantIdSchema.safeParse(raw);
  if (!parsed.success) throw new HttpProblem(400, 'invalid_header', 'Invalid header', `X-Tenant-Id: ${parsed.error.issues[0]?.message}`, { header: 'X-Tenant-Id' });
  return parsed.data;
}

export function mountInventoryRoutes(app: Express, deps: ReadModelDeps): void {
  // Before /v1/inventory/:sku, which would take `low-stock` for a SKU.
  app.get('/v1/inventory/low-stock', async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseQuery(lowStockQuerySchema, req);
    const after = cursorKey(query.cursor, 2);
    await awaitConsistency(req, res, deps, inventoryStockProjection.name);
    answerConditionally(req, res, await readLowStock(deps.db, deps.schema, tenant, query.threshold, { limit: query.limit ?? DEFAULT_LIMIT, after }));
  });

  app.get('/v1/inventory/locations/:location', async (req, res) => {
    const tenant = tenantOf(req);
    const location = locationSchema.safeParse(req.params.location);
    if (!location.success) throw invalid('Invalid location', 'location', location.error.issues[0]?.message);
    const query = parseQuery(locationQuerySchema, req);
    const after = cursorKey(query.cursor, 1);
    await awaitConsistency(req, res, deps, inventoryStockProjection.name);
    answerConditionally(req, res, await readLocationStock(deps.db, deps.schema, tenant, location.data, { limit: query.limit ?? DEFAULT_LIMIT, after }));
  });

  app.get('/v1/inventory/:sku', async (req, res) => {
    const tenant = tenantOf(req);
    const sku = skuSchema.safeParse(req.params.sku);
    if (!sku.success) throw new HttpProblem(400, 'validation_failed', 'Invalid SKU', `sku: ${sku.error.issues[0]?.message}`, { errors: [{ path: 'sku', message: sku.error.issues[0]?.message }] });
    const freshness = await awaitConsistency(req, res, deps, inventoryStockProjection.name);
    const { value: view, cache } = await readStock(deps, tenant, sku.data, freshness !== undefined);
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown SKU', `no stock known for SKU ${sku.data}`, { sku: sku.data });
    answerConditionally(req, res, view, versionETag(view.version));
  });
}
