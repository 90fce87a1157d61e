import type { Express } from 'express';
import { z } from 'zod';
import { skuSchema } from '@verity/domain';
import { catalogProductsProjection, listProductViews, PRODUCT_STATUSES, type ProductStatus } from '@verity/projection-catalog-products';
import { HttpProblem } from '@verity/service-kit';
import { awaitConsistency } from './consistency';
import { tenantOf, type ReadModelDeps } from './inventory-routes';
import { readProduct } from './cached-reads';
import { answerConditionally, versionETag } from './conditional';

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
  limit: z
    .string()
    .regex(/^[0-9]+$/, 'an integer')
    .transform(Number)
    .pipe(z.number().int().min(1, `at least 1`).max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`))
    .optional(),
  cursor: z
    .string()
    .transform((value, ctx) => {
      const sku = decodeCursor(value);
      if (sku === undefined) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor returned by this API' });
        return z.NEVER;
      }
      return sku;
    })
    .optional(),
  status: z.enum(PRODUCT_STATUSES as [ProductStatus, ...ProductStatus[]], { message: `one of ${PRODUCT_STATUSES.join(', ')}` }).optional(),
});

export interface ProductListQuery {
  limit: number;
  after?: string;
  status?: ProductStatus;
}

const validationFailed = (title: string, issues: { path: PropertyKey[]; message: string }[]): HttpProblem => {
  const errors = issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  return new HttpProblem(400, 'validation_failed', title, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
};

/** Parses `limit`, `cursor` and `status` of the list endpoint; a bad one is a 400 naming it. Other parameters are ignored. */
export function parseListQuery(query: Record<string, unknown>): ProductListQuery {
  const parsed = listQuerySchema.safeParse({ limit: query.limit, cursor: query.cursor, status: query.status });
  if (!parsed.success) throw validationFailed('Invalid query parameters', parsed.error.issues);
  const { limit, cursor, status } = parsed.data;
  return { limit: limit ?? DEFAULT_PAGE_SIZE, ...(cursor !== undefined ? { after: cursor } : {}), ...(status !== undefined ? { status } : {}) };
}

/** `deps.eventsTopic` is the catalog's events topic. */
export function mountCatalogRoutes(app: Express, deps: ReadModelDeps): void {
  app.get('/v1/catalog/products', async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseListQuery(req.query as Record<string, unknown>);
    await awaitConsistency(req, res, deps, catalogProductsProjection.name);
    const page = await listProductViews(deps.db, deps.schema, tenant, query);
    answerConditionally(req, res, { items: page.items, nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) });
  });

  app.get('/v1/catalog/products/:sku', async (req, res) => {
    const tenant = tenantOf(req);
    const sku = skuSchema.safeParse(req.params.sku);
    if (!sku.success) throw validationFailed('Invalid SKU', sku.error.issues.map((issue) => ({ ...issue, path: ['sku'] })));
    const freshness = await awaitConsistency(req, res, deps, catalogProductsProjection.name);
    const { value: view, cache } = await readProduct(deps, tenant, sku.data, freshness !== undefined);
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown product', `no product with SKU ${sku.data}`, { sku: sku.data });
    answerConditionally(req, res, view, versionETag(view.version));
  });
}
