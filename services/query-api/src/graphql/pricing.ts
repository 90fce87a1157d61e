import { readPriceListView, type SkuRules } from '@verity/projection-pricing';
import type { ProductView } from '@verity/projection-catalog-products';
import { readPriceRules } from '../cached-reads';
import { quoteAnswer, priceListIdSchema, type QuoteAnswer, type QuoteQuery } from '../pricing-quote';
import { arg, notFound, quoteArgs, type QuoteArgs } from './args';
import type { ChangeNotice } from './change-feed';
import type { GraphqlContext } from './context';

/** The quote, or null when no rule applies; an unknown list is an error naming it. */
function answer(entry: SkuRules | null | undefined, q: QuoteQuery): QuoteAnswer | null {
  if (!entry) throw notFound('priceListId', `no price list ${q.priceListId}`);
  return quoteAnswer(entry, q) ?? null;
}

interface PriceChange {
  priceListId: string;
  sku: string;
  customerId: string;
  quantity: number;
  version: number;
}

/** Pricing's resolvers: the same quote as `GET /v1/pricing/quote`, through the same cache for single reads. */
export const pricingResolvers = {
  Query: {
    quote: async (_: unknown, args: QuoteArgs, ctx: GraphqlContext) => {
      const q = quoteArgs(args, ctx.now());
      return answer(
        (await readPriceRules(ctx, ctx.tenant, q.priceListId, q.sku, ctx.consistency !== undefined)).value,
        q,
      );
    },
    priceList: async (_: unknown, args: { id: string }, ctx: GraphqlContext) => {
      const id = arg(priceListIdSchema, args.id, 'id');
      return (await ctx.db.read(ctx.tenant, (db) => readPriceListView(db, ctx.schema, ctx.tenant, id))) ?? null;
    },
  },
  Product: {
    price: async (p: ProductView, args: Omit<QuoteArgs, 'sku'>, ctx: GraphqlContext) => {
      const q = quoteArgs({ ...args, sku: p.sku }, ctx.now());
      return answer(await ctx.priceLoader.load({ priceListId: q.priceListId, sku: q.sku }), q);
    },
  },
  Subscription: {
    priceChanged: {
      subscribe: (_: unknown, args: Omit<QuoteArgs, 'at'>, ctx: GraphqlContext) => {
        const q = quoteArgs(args, ctx.now());
        return ctx.feed.subscribe(
          (n) =>
            n.context === 'pricing' && n.tenant === ctx.tenant && n.priceListId === q.priceListId && n.sku === q.sku,
        );
      },
      resolve: (n: ChangeNotice, args: Omit<QuoteArgs, 'at'>): PriceChange => ({
        priceListId: args.priceListId,
        sku: args.sku,
        customerId: args.customer,
        quantity: args.quantity,
        version: n.version,
      }),
    },
  },
  // Priced when the notice is delivered, through the cache the projector has just invalidated.
  PriceChange: {
    quote: async (c: PriceChange, _: unknown, ctx: GraphqlContext) => {
      const q: QuoteQuery = {
        priceListId: c.priceListId,
        customerId: c.customerId,
        sku: c.sku,
        quantity: c.quantity,
        at: ctx.now().toISOString(),
      };
      const entry = (await readPriceRules(ctx, ctx.tenant, q.priceListId, q.sku)).value;
      return entry ? (quoteAnswer(entry, q) ?? null) : null;
    },
  },
};
