import type { Express } from 'express';
import { z } from 'zod';
import { skuSchema } from '@verity/domain';
import { pricingProjection, readPriceListView } from '@verity/projection-pricing';
import { HttpProblem } from '@verity/service-kit';
import { readPriceRules } from './cached-reads';
import { awaitConsistency } from './consistency';
import { tenantOf, type ReadModelDeps } from './inventory-routes';
import { atSchema, customerIdSchema, priceListIdSchema, quantitySchema, quoteAnswer, type QuoteQuery } from './pricing-quote';
import { answerConditionally, versionETag } from './conditional';

/** Query parameters of `GET /v1/pricing/quote`. */
export const quoteQuerySchema = z.object({
  priceListId: priceListIdSchema,
  sku: skuSchema,
  customerId: customerIdSchema.optional(),
  quantity: z.string({ message: 'a positive integer is required' }).regex(/^[0-9]+$/, 'a positive integer').transform(Number).pipe(quantitySchema),
  at: atSchema.optional(),
});

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

/** `deps.eventsTopic` is the pricing events topic. */
export function mountPricingRoutes(app: Express, deps: ReadModelDeps): void {
  app.get('/v1/pricing/quote', async (req, res) => {
    const tenant = tenantOf(req);
    const q = parseQuoteQuery(req.query as Record<string, unknown>, new Date());
    const freshness = await awaitConsistency(req, res, deps, pricingProjection.name);
    const { value: entry, cache } = await readPriceRules(deps, tenant, q.priceListId, q.sku, freshness !== undefined);
    res.set('X-Cache', cache);
    if (!entry) throw new HttpProblem(404, 'not_found', 'Unknown price list', `no price list ${q.priceListId}`, { priceListId: q.priceListId });
    const answer = quoteAnswer(entry, q);
    if (!answer) {
      throw new HttpProblem(404, 'no_price', 'No price applies', `no rule of price list ${q.priceListId} prices ${q.sku} at ${q.at}`, {
        priceListId: q.priceListId,
        sku: q.sku,
        at: q.at,
      });
    }
    answerConditionally(req, res, answer);
  });

  app.get('/v1/pricing/price-lists/:priceListId', async (req, res) => {
    const tenant = tenantOf(req);
    const id = priceListIdSchema.safeParse(req.params.priceListId);
    if (!id.success) throw validationFailed('Invalid price list id', id.error.issues.map((issue) => ({ ...issue, path: ['priceListId'] })));
    await awaitConsistency(req, res, deps, pricingProjection.name);
    const view = await readPriceListView(deps.db, deps.schema, tenant, id.data);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown price list', `no price list ${id.data}`, { priceListId: id.data });
    answerConditionally(req, res, view, versionETag(view.version));
  });
}
