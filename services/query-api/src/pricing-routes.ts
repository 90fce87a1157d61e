import type { Express } from 'express';
import { z } from 'zod';
import { skuSchema } from '@verity/domain';
import { pricingProjection, readPriceListView } from '@verity/projection-pricing';
import { HttpProblem, tenantOf } from '@verity/service-kit';
import { readPriceRules } from './cached-reads';
import { awaitConsistency } from './consistency';
import type { ReadModelDeps } from './inventory-routes';
import { customerIdSchema, priceListIdSchema, quantitySchema, quoteAnswer, type QuoteQuery } from './pricing-quote';
import { answerConditionally, versionETag } from './conditional';
import { requireRead } from './read-access';
import { instantParam, integerParam, parseParam, parseQuery } from './request';

/** Query parameters of `GET /v1/pricing/quote`. */
export const quoteQuerySchema = z.object({
  priceListId: priceListIdSchema,
  sku: skuSchema,
  customerId: customerIdSchema.optional(),
  quantity: integerParam(quantitySchema, { type: 'a positive integer is required', digits: 'a positive integer' }),
  at: instantParam.optional(),
});

/** Parses the quote parameters; every bad or missing one is named in the 400. `now` is the default `at`. */
export function parseQuoteQuery(query: unknown, now: Date): QuoteQuery {
  const { priceListId, sku, customerId, quantity, at } = parseQuery(
    quoteQuerySchema,
    query,
    'Invalid query parameters',
    'all',
  );
  return {
    priceListId,
    sku,
    quantity,
    at: at ?? now.toISOString(),
    ...(customerId !== undefined ? { customerId } : {}),
  };
}

/** `deps.eventsTopic` is the pricing events topic. */
export function mountPricingRoutes(app: Express, deps: ReadModelDeps): void {
  const access = [deps.guard, requireRead('pricing')];
  app.get('/v1/pricing/quote', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const q = parseQuoteQuery(req.query, new Date());
    // Past any wait, PostgreSQL even after a notice: a change to a whole price list (no SKU)
    // invalidates no SKU's cached rules.
    const waited = (await awaitConsistency(req, res, deps, pricingProjection.name)) !== undefined;
    const { value: entry, cache } = await readPriceRules(deps, tenant, q.priceListId, q.sku, waited);
    res.set('X-Cache', cache);
    if (!entry)
      throw new HttpProblem(404, 'not_found', 'Unknown price list', `no price list ${q.priceListId}`, {
        priceListId: q.priceListId,
      });
    const answer = quoteAnswer(entry, q);
    if (!answer) {
      throw new HttpProblem(
        404,
        'no_price',
        'No price applies',
        `no rule of price list ${q.priceListId} prices ${q.sku} at ${q.at}`,
        {
          priceListId: q.priceListId,
          sku: q.sku,
          at: q.at,
        },
      );
    }
    answerConditionally(req, res, answer);
  });

  app.get('/v1/pricing/price-lists/:priceListId', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const priceListId = parseParam(
      priceListIdSchema,
      req.params.priceListId,
      'priceListId',
      'Invalid price list id',
      'all',
    );
    await awaitConsistency(req, res, deps, pricingProjection.name);
    const view = await deps.db.read(tenant, (db) => readPriceListView(db, deps.schema, tenant, priceListId));
    if (!view)
      throw new HttpProblem(404, 'not_found', 'Unknown price list', `no price list ${priceListId}`, { priceListId });
    answerConditionally(req, res, view, versionETag(view.version));
  });
}
