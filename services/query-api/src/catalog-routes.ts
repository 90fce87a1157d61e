import type { Express } from 'express';
import { z } from 'zod';
import { skuSchema } from '@verity/domain';
import {
  catalogProductsProjection,
  listProductViews,
  PRODUCT_STATUSES,
  type ProductStatus,
} from '@verity/projection-catalog-products';
import { HttpProblem, tenantOf } from '@verity/service-kit';
import { awaitConsistency, skipsCache } from './consistency';
import type { ReadModelDeps } from './inventory-routes';
import { readProduct } from './cached-reads';
import { answerConditionally, versionETag } from './conditional';
import { requireRead } from './read-access';
import { cursorParam, enumParam, pageSizeParam, parseParam, parseQuery } from './request';

/** Page size of `GET /v1/catalog/products`: 1..200, 50 when absent. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The opaque cursor of a page: base64url of the last SKU it returned. */
export const encodeCursor = (lastSku: string): string => Buffer.from(lastSku, 'utf8').toString('base64url');

/** The SKU a cursor stands for, or undefined when it is not one this API handed out. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const sku = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only the canonical encoding of a valid SKU: anything else was not produced by encodeCursor.
  return skuSchema.safeParse(sku).success && encodeCursor(sku) === cursor ? sku : undefined;
}

export const listQuerySchema = z.object({
  limit: pageSizeParam(MAX_PAGE_SIZE).optional(),
  cursor: cursorParam(decodeCursor).optional(),
  status: enumParam(PRODUCT_STATUSES).optional(),
});

export interface ProductListQuery {
  limit: number;
  after?: string;
  status?: ProductStatus;
}

/** Parses `limit`, `cursor` and `status` of the list endpoint; every bad one is named in the 400. Other parameters are ignored. */
export function parseListQuery(query: unknown): ProductListQuery {
  const { limit, cursor, status } = parseQuery(listQuerySchema, query, 'Invalid query parameters', 'all');
  return {
    limit: limit ?? DEFAULT_PAGE_SIZE,
    ...(cursor !== undefined ? { after: cursor } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

/** `deps.eventsTopic` is the catalog's events topic. */
export function mountCatalogRoutes(app: Express, deps: ReadModelDeps): void {
  const access = [deps.guard, requireRead('catalog')];
  app.get('/v1/catalog/products', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseListQuery(req.query);
    await awaitConsistency(req, res, deps, catalogProductsProjection.name);
    const page = await deps.db.read(tenant, (db) => listProductViews(db, deps.schema, tenant, query));
    answerConditionally(req, res, {
      items: page.items,
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    });
  });

  app.get('/v1/catalog/products/:sku', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const sku = parseParam(skuSchema, req.params.sku, 'sku', 'Invalid SKU', 'all');
    const wait = await awaitConsistency(req, res, deps, catalogProductsProjection.name);
    const { value: view, cache } = await readProduct(deps, tenant, sku, skipsCache(wait));
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown product', `no product with SKU ${sku}`, { sku });
    answerConditionally(req, res, view, versionETag(view.version));
  });
}
