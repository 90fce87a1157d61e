import { createSchema } from 'graphql-yoga';
import { listProductViews, type ProductView } from '@verity/projection-catalog-products';
import { decodeCursor as decodeStockCursor, readLowStock } from '@verity/projection-inventory-stock';
import { isExpired } from '@verity/projection-aliases-registry';
import { readProduct, readResolution, readStock } from '../cached-reads';
import {
  decodeCursor as decodeProductCursor,
  encodeCursor as encodeProductCursor,
  MAX_PAGE_SIZE as MAX_PRODUCT_PAGE,
} from '../catalog-routes';
import { cursorParam } from '../request';
import { aliasArg, intIn, optionalArg, sku } from './args';
import { conflictResolvers } from './conflicts';
import { Json } from './json';
import {
  aliasNotices,
  aliasOfKey,
  productNotices,
  stockNotices,
  type ChangeNotice,
  type ChangeNoticeOf,
} from './change-feed';
import type { GraphqlContext } from './context';
import { Money } from './money';
import { pricingResolvers } from './pricing';
import { withReadChecks } from './read-checks';
import { typeDefs } from './type-defs';

export type { GraphqlContext } from './context';

const MAX_LOW_STOCK_PAGE = 500;

interface Resolution {
  context: string;
  alias: string;
  canonical: string;
  expiresAt: string | null;
  version: number;
}

/** An alias's resolution as the REST resolve endpoint judges it: active (cache or PostgreSQL) and not expired now. */
async function resolve(ctx: GraphqlContext, context: string, alias: string): Promise<Resolution | null> {
  const at = ctx.now();
  const { value } = await readResolution(ctx, ctx.tenant, context, alias, at, ctx.consistency !== undefined);
  const found = value && !isExpired(value.expiresAt, at) ? value : undefined;
  ctx.resolutions?.record(
    {
      tenant: ctx.tenant,
      actor: ctx.principal.subject,
      credentialKind: ctx.principal.kind,
      context,
      alias,
      canonical: found?.canonical ?? null,
      consistencyToken: ctx.consistency !== undefined,
    },
    at,
  );
  return found
    ? { context, alias, canonical: found.canonical, expiresAt: found.expiresAt, version: found.version }
    : null;
}

/**
 * The executable schema: SDL from type-defs.ts; single entities through the read-through cache
 * the REST routes use, lists and nested fields from PostgreSQL in batches. Every root field
 * checks the credential may read its context first (read-checks.ts).
 */
export function createGraphqlSchema() {
  return createSchema<GraphqlContext>({
    typeDefs,
    resolvers: withReadChecks({
      Money,
      JSON: Json,
      Query: {
        product: async (_: unknown, args: { sku: string }, ctx: GraphqlContext) =>
          (await readProduct(ctx, ctx.tenant, sku(args.sku), ctx.consistency !== undefined)).value ?? null,
        products: async (
          _: unknown,
          args: { first: number; after?: string | null; status?: 'active' | 'discontinued' | null },
          ctx: GraphqlContext,
        ) => {
          const limit = intIn(args.first, 'first', 1, MAX_PRODUCT_PAGE);
          const after = optionalArg(cursorParam(decodeProductCursor), args.after, 'after');
          const page = await ctx.db.read(ctx.tenant, (db) =>
            listProductViews(db, ctx.schema, ctx.tenant, {
              limit,
              ...(after !== undefined ? { after } : {}),
              ...(args.status ? { status: args.status } : {}),
            }),
          );
          return {
            items: page.items,
            nextCursor: page.nextAfter === null ? null : encodeProductCursor(page.nextAfter),
          };
        },
        stock: async (_: unknown, args: { sku: string }, ctx: GraphqlContext) =>
          (await readStock(ctx, ctx.tenant, sku(args.sku), ctx.consistency !== undefined)).value ?? null,
        lowStock: (
          _: unknown,
          args: { threshold: number; first: number; after?: string | null },
          ctx: GraphqlContext,
        ) => {
          const threshold = intIn(args.threshold, 'threshold', 1, 1_000_000_000);
          const limit = intIn(args.first, 'first', 1, MAX_LOW_STOCK_PAGE);
          const after = optionalArg(
            cursorParam((cursor) => decodeStockCursor(cursor, 2)),
            args.after,
            'after',
          );
          return ctx.db.read(ctx.tenant, (db) =>
            readLowStock(db, ctx.schema, ctx.tenant, threshold, { limit, ...(after ? { after } : {}) }),
          );
        },
        resolveAlias: (_: unknown, args: { context: string; alias: string }, ctx: GraphqlContext) =>
          resolve(ctx, args.context, aliasArg(args.alias)),
        ...pricingResolvers.Query,
        ...conflictResolvers.Query,
      },
      Product: {
        attributes: (p: ProductView) => Object.entries(p.attributes).map(([key, value]) => ({ key, value })),
        stock: (p: ProductView, _: unknown, ctx: GraphqlContext) => ctx.stockLoader.load(p.sku),
        ...pricingResolvers.Product,
      },
      Subscription: {
        stockChanged: {
          subscribe: (_: unknown, args: { sku: string }, ctx: GraphqlContext) =>
            ctx.feed.subscribe(stockNotices(ctx.tenant, sku(args.sku))),
          resolve: (n: ChangeNoticeOf<'inventory'>) => ({ sku: n.sku, version: n.version }),
        },
        aliasChanged: {
          subscribe: (_: unknown, args: { context?: string | null }, ctx: GraphqlContext) =>
            ctx.feed.subscribe(aliasNotices(ctx.cacheKeyPrefix, ctx.tenant, args.context)),
          resolve: (n: ChangeNoticeOf<'aliases'>, _: unknown, ctx: GraphqlContext) => ({
            ...aliasOfKey(ctx.cacheKeyPrefix, n.tenant, n.key),
            version: n.version,
          }),
        },
        productChanged: {
          subscribe: (_: unknown, args: { sku: string }, ctx: GraphqlContext) =>
            ctx.feed.subscribe(productNotices(ctx.tenant, sku(args.sku))),
          resolve: async (_n: ChangeNotice, args: { sku: string }, ctx: GraphqlContext) => {
            // One context serves the whole stream: the product's stock and prices are loaded afresh for each notice.
            ctx.stockLoader.clearAll();
            ctx.priceLoader.clearAll();
            return (await readProduct(ctx, ctx.tenant, args.sku)).value ?? null;
          },
        },
        ...pricingResolvers.Subscription,
        ...conflictResolvers.Subscription,
      },
      // Read when the notice is delivered, not from the request's loader: a stream lives long.
      StockChange: {
        stock: async (c: { sku: string }, _: unknown, ctx: GraphqlContext) =>
          (await readStock(ctx, ctx.tenant, c.sku)).value ?? null,
      },
      AliasChange: {
        resolution: (c: { context: string; alias: string }, _: unknown, ctx: GraphqlContext) =>
          resolve(ctx, c.context, c.alias),
      },
      PriceChange: pricingResolvers.PriceChange,
    }),
  });
}
