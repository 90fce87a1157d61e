import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { createSchema } from 'graphql-yoga';
import type { Knex } from 'knex';
import { listProductViews, readProductView, type ProductView } from '@verity/projection-catalog-products';
import { decodeCursor as decodeStockCursor, readLowStock, readStockView, readStockViews, type StockView } from '@verity/projection-inventory-stock';
import { readAlias, type AliasView } from '@verity/projection-aliases-registry';
import { decodeCursor as decodeProductCursor, encodeCursor as encodeProductCursor, MAX_PAGE_SIZE as MAX_PRODUCT_PAGE } from '../catalog-routes';
import { aliasOfKey, type ChangeFeed, type ChangeNotice } from './change-feed';
import { typeDefs } from './type-defs';

/** What every GraphQL operation of one request sees; built per request. */
export interface GraphqlContext {
  tenant: string;
  db: Knex;
  schema: string;
  cacheKeyPrefix: string;
  feed: ChangeFeed;
  now: () => Date;
  /** Stock views of this request's SKUs, loaded in one batch per tick (no N+1 under `products { stock }`). */
  stockLoader: DataLoader<string, StockView | null>;
}

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_LOW_STOCK_PAGE = 500;

function badInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

function sku(value: string, argument = 'sku'): string {
  if (value.length < 1 || value.length > 64 || !SKU.test(value)) throw badInput(argument, 'letters, digits, dot, dash and underscore, 1 to 64 characters');
  return value;
}

function intIn(value: number, argument: string, min: number, max: number): number {
  if (value < min || value > max) throw badInput(argument, `must be between ${min} and ${max}`);
  return value;
}

function resolution(view: AliasView | undefined): { context: string; alias: string; canonical: string; expiresAt: string | null; version: number } | null {
  return view && view.status === 'active' ? { context: view.context, alias: view.alias, canonical: view.canonical, expiresAt: view.expiresAt, version: view.version } : null;
}

function aliasArg(value: string): string {
  if (value.length < 1 || value.length > 128) throw badInput('alias', '1 to 128 characters');
  return value;
}

/** The executable schema: SDL from type-defs.ts, resolvers over the projections' readers. */
export function createGraphqlSchema() {
  return createSchema<GraphqlContext>({
    typeDefs,
    resolvers: {
      Query: {
        product: (_: unknown, args: { sku: string }, ctx: GraphqlContext) => readProductView(ctx.db, ctx.schema, ctx.tenant, sku(args.sku)).then((v) => v ?? null),
        products: async (_: unknown, args: { first: number; after?: string | null; status?: 'active' | 'discontinued' | null }, ctx: GraphqlContext) => {
          const limit = intIn(args.first, 'first', 1, MAX_PRODUCT_PAGE);
          let after: string | undefined;
          if (args.after !== undefined && args.after !== null) {
            after = decodeProductCursor(args.after);
            if (after === undefined) throw badInput('after', 'not a cursor returned by this API');
          }
          const page = await listProductViews(ctx.db, ctx.schema, ctx.tenant, { limit, ...(after !== undefined ? { after } : {}), ...(args.status ? { status: args.status } : {}) });
          return { items: page.items, nextCursor: page.nextAfter === null ? null : encodeProductCursor(page.nextAfter) };
        },
        stock: (_: unknown, args: { sku: string }, ctx: GraphqlContext) => ctx.stockLoader.load(sku(args.sku)),
        lowStock: (_: unknown, args: { threshold: number; first: number; after?: string | null }, ctx: GraphqlContext) => {
          const threshold = intIn(args.threshold, 'threshold', 1, 1_000_000_000);
          const limit = intIn(args.first, 'first', 1, MAX_LOW_STOCK_PAGE);
          let after: string[] | undefined;
          if (args.after !== undefined && args.after !== null) {
            after = decodeStockCursor(args.after, 2);
            if (!after) throw badInput('after', 'not a cursor returned by this API');
          }
          return readLowStock(ctx.db, ctx.schema, ctx.tenant, threshold, { limit, ...(after ? { after } : {}) });
        },
        resolveAlias: async (_: unknown, args: { context: string; alias: string }, ctx: GraphqlContext) =>
          resolution(await readAlias(ctx.db, ctx.schema, ctx.tenant, args.context, aliasArg(args.alias), ctx.now())),
      },
      Product: {
        attributes: (p: ProductView) => Object.entries(p.attributes).map(([key, value]) => ({ key, value })),
        stock: (p: ProductView, _: unknown, ctx: GraphqlContext) => ctx.stockLoader.load(p.sku),
      },
      Subscription: {
        stockChanged: {
          subscribe: (_: unknown, args: { sku: string }, ctx: GraphqlContext) => {
            const wanted = sku(args.sku);
            return ctx.feed.subscribe((n) => n.context === 'inventory' && n.tenant === ctx.tenant && n.sku === wanted);
          },
          resolve: (n: ChangeNotice) => ({ sku: n.sku, version: n.version }),
        },
        aliasChanged: {
          subscribe: (_: unknown, args: { context?: string | null }, ctx: GraphqlContext) =>
            ctx.feed.subscribe((n) => {
              if (n.context !== 'aliases' || n.tenant !== ctx.tenant) return false;
              const of = aliasOfKey(ctx.cacheKeyPrefix, ctx.tenant, n.key);
              return of !== undefined && (!args.context || of.context === args.context);
            }),
          resolve: (n: ChangeNotice, _: unknown, ctx: GraphqlContext) => ({ ...aliasOfKey(ctx.cacheKeyPrefix, n.tenant, n.key), version: n.version }),
        },
      },
      // Read when the notice is delivered, not from the request's loader: a stream lives long.
      StockChange: {
        stock: (c: { sku: string }, _: unknown, ctx: GraphqlContext) => readStockView(ctx.db, ctx.schema, ctx.tenant, c.sku).then((v) => v ?? null),
      },
      AliasChange: {
        resolution: async (c: { context: string; alias: string }, _: unknown, ctx: GraphqlContext) =>
          resolution(await readAlias(ctx.db, ctx.schema, ctx.tenant, c.context, c.alias, ctx.now())),
      },
    },
  });
}

/** A per-request loader of stock views; `onBatch` sees each batch's size (metrics). */
export function createStockLoader(db: Knex, schema: string, tenant: string, onBatch: (size: number) => void = () => undefined): DataLoader<string, StockView | null> {
  return new DataLoader<string, StockView | null>(async (skus) => {
    onBatch(skus.length);
    const views = await readStockViews(db, schema, tenant, skus);
    return skus.map((s) => views.get(s) ?? null);
  });
}
