import type { Express } from 'express';
import { z } from 'zod';
import { quote, type PriceRule } from '@verity/command-processor';
import { cacheSkuRules, pricingProjection, readCachedSkuRules, readPriceListView, readSkuRules, type SkuRules } from '@verity/projection-pricing';
import { HttpProblem } from '@verity/service-kit';
import { awaitConsistency } from './consistency';
import { tenantOf, type ReadModelDeps } from './inventory-routes';
import { readThrough, type CacheOutcome } from './read-through';

export const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore');

/** Query parameters of `GET /v1/pricing/quote`. */
export const quoteQuerySchema = z.object({
  priceListId: idSchema,
  sku: idSchema,
  customerId: z.string().min(1).max(128).optional(),
  quantity: z
    .string({ message: 'a positive integer is required' })
    .regex(/^[0-9]+$/, 'a positive integer')
    .transform(Number)
    .pipe(z.number().int().min(1, 'at least 1').max(1_000_000_000, 'at most 1000000000')),
  at: z.iso.datetime({ offset: true, message: 'an ISO 8601 instant with an offset, e.g. 2026-11-23T10:00:00Z' }).optional(),
});

export interface QuoteQuery {
  priceListId: string;
  sku: string;
  customerId?: string;
  quantity: number;
  /** ISO instant; now when the request names none. */
  at: string;
}

const validationFailed = (title: string, issues: { path: PropertyKey[]; message: string }[]): HttpProblem => {
  const errors = issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  return new HttpProblem(400, 'validation_failed', title, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
};

/** Parses the quote parameters; a bad or missing one is a 400 naming it. `now` is the default `at`. */
export function parseQuoteQuery(query: Record<string, unknown>, now: Date): QuoteQuery {
  const parsed = quoteQuerySchema.safeParse({ priceListId: query.priceListId, sku: query.sku, customerId: query.customerId, quantity: query.quantity, at: query.at });
  if (!parsed.success) throw validationFailed('Invalid query parameters', parsed.error.issues);
  const { priceListId, sku, customerId, quantity, at } = parsed.data;
  return { priceListId, sku, quantity, at: at !== undefined ? new Date(at).toISOString() : now.toISOString(), ...(customerId !== undefined ? { customerId } : {}) };
}

/** Read-through for a SKU's rules: cache, else PostgreSQL (refilling the cache); no cache after a consistency wait. */
async function skuRules(deps: ReadModelDeps, tenant: string, priceListId: string, sku: string, skipCache: boolean): Promise<{ entry: SkuRules | undefined; cache: CacheOutcome }> {
  const { value, cache } = await readThrough(
    deps,
    {
      fromCache: () => readCachedSkuRules(deps.redis, deps.cacheKeyPrefix, tenant, priceListId, sku),
      fromDatabase: () => readSkuRules(deps.db, deps.schema, tenant, priceListId, sku),
      toCache: (entry) => cacheSkuRules(deps.redis, deps.cacheKeyPrefix, entry),
    },
    skipCache,
  );
  return { entry: value, cache };
}

/** `deps.eventsTopic` is the pricing events topic. */
export function mountPricingRoutes(app: Express, deps: ReadModelDeps): void {
  app.get('/v1/pricing/quote', async (req, res) => {
    const tenant = tenantOf(req);
    const q = parseQuoteQuery(req.query as Record<string, unknown>, new Date());
    const freshness = await awaitConsistency(req, res, deps, pricingProjection.name);
    const { entry, cache } = await skuRules(deps, tenant, q.priceListId, q.sku, freshness !== undefined);
    res.set('X-Cache', cache);
    if (!entry) throw new HttpProblem(404, 'not_found', 'Unknown price list', `no price list ${q.priceListId}`, { priceListId: q.priceListId });
    const result = quote(entry.rules as PriceRule[], entry.currency, { customerId: q.customerId ?? null, sku: q.sku, quantity: q.quantity, at: q.at });
    if (!result) {
      throw new HttpProblem(404, 'no_price', 'No price applies', `no rule of price list ${q.priceListId} prices ${q.sku} at ${q.at}`, {
        priceListId: q.priceListId,
        sku: q.sku,
        at: q.at,
      });
    }
    res.json({ priceListId: q.priceListId, customerId: q.customerId ?? null, sku: q.sku, quantity: q.quantity, at: q.at, ...result });
  });

  app.get('/v1/pricing/price-lists/:priceListId', async (req, res) => {
    const tenant = tenantOf(req);
    const id = idSchema.safeParse(req.params.priceListId);
    if (!id.success) throw validationFailed('Invalid price list id', id.error.issues.map((issue) => ({ ...issue, path: ['priceListId'] })));
    await awaitConsistency(req, res, deps, pricingProjection.name);
    const view = await readPriceListView(deps.db, deps.schema, tenant, id.data);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown price list', `no price list ${id.data}`, { priceListId: id.data });
    const etag = `"${view.version}"`;
    res.set('ETag', etag);
    if (req.get('If-None-Match') === etag) {
      res.status(304).end();
      return;
    }
    res.json(view);
  });
}
