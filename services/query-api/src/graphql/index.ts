import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { sharedCounter, sharedGauge, type Logger } from '@verity/events';
import { MAX_BODY_BYTES, principalOf, tenantOf } from '@verity/service-kit';
import type { TenantDb } from '../tenant-db';
import type { ChangeFeed } from './change-feed';
import { useConsistency, type ReadModel } from './consistency';
import { createPriceLoader, createStockLoader, type GraphqlContext } from './context';
import { DEFAULT_GRAPHQL_LIMITS, graphqlLimitPlugins, type GraphqlLimits } from './limits';
import { maskError, unavailableProblem } from './mask-error';
import { createGraphqlSchema } from './schema';
import type { SubscriptionQuota } from './subscription-quota';
import type { CheckpointWatch } from '../checkpoint-watch';
import type { ResolutionRecorder } from '../resolution-log';

export { ChangeFeed, parseNotice, type ChangeNotice } from './change-feed';
export { createGraphqlSchema } from './schema';
export { SubscriptionQuota, subscriptionQuotaEnvSchema } from './subscription-quota';
export type { ReadModel } from './consistency';

export interface GraphqlDeps {
  db: TenantDb;
  schema: string;
  /** The REST routes' cache: single-entity reads go through the same read-through. */
  redis: Redis;
  cacheKeyPrefix: string;
  logger: Logger;
  metrics: Registry;
  /** The credential check and rate limits every request to the endpoint passes first, queries and subscriptions alike. */
  guard: RequestHandler;
  /** Change notices of the projectors, for subscriptions. */
  feed: ChangeFeed;
  /** How many subscriptions each credential may hold open. */
  subscriptions: SubscriptionQuota;
  /** The read models GraphQL reads and the events topics each is built from: which a consistency token waits for. */
  readModels: readonly ReadModel[];
  /** Upper bound of a wait for a consistency token. */
  consistencyTimeoutMs: number;
  /** Wakes a consistency wait when a checkpoint moves; without it a wait polls. */
  checkpointWatch?: CheckpointWatch;
  /** Largest document allowed (depth, aliases, tokens, directives, cost). Default DEFAULT_GRAPHQL_LIMITS. */
  limits?: GraphqlLimits;
  now?: () => Date;
  /** Where `resolveAlias` answers are recorded (the alias resolution log), as the REST resolve's are. */
  resolutions?: ResolutionRecorder;
}

const counter = (metrics: Registry, name: string, help: string) => sharedCounter(metrics, { name, help });

/**
 * GraphQL at `/graphql` (queries over HTTP, subscriptions over Server-Sent Events: every
 * operation is an HTTP request, so one guard covers both); queries honour `X-Consistency-Token`
 * as REST does. A missing or refused credential is a 401, another tenant's `X-Tenant-Id` a 403,
 * both problem+json before GraphQL runs; a field the credential may not read is a GraphQL error
 * `FORBIDDEN` (read-checks.ts).
 */
export function mountGraphql(app: Express, deps: GraphqlDeps): void {
  const batches = counter(
    deps.metrics,
    'verity_graphql_stock_batches_total',
    'Batched stock reads of GraphQL requests (one per DataLoader batch)',
  );
  const batchedSkus = counter(
    deps.metrics,
    'verity_graphql_stock_batch_skus_total',
    'SKUs read by the batched stock reads of GraphQL requests',
  );
  const priceBatches = counter(
    deps.metrics,
    'verity_graphql_price_batches_total',
    'Batched price rule reads of GraphQL requests (one per DataLoader batch)',
  );
  const pricedSkus = counter(
    deps.metrics,
    'verity_graphql_price_batch_skus_total',
    '(price list, SKU) pairs read by the batched price reads of GraphQL requests',
  );
  const feed = deps.feed;
  sharedGauge(deps.metrics, {
    name: 'verity_graphql_subscriptions',
    help: 'Open GraphQL subscriptions',
    collect() {
      this.set(feed.size);
    },
  });
  const now = deps.now ?? (() => new Date());
  const yoga = createYoga<{ req: Request; res: Response }, GraphqlContext>({
    schema: createGraphqlSchema() as GraphQLSchema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    maskedErrors: { maskError },
    // The limits first: a refused document is never executed.
    plugins: [...graphqlLimitPlugins(deps.limits ?? DEFAULT_GRAPHQL_LIMITS), useConsistency(deps, deps.readModels)],
    logging: {
      debug: (...args: unknown[]) => deps.logger.debug({ args }, 'graphql'),
      info: (...args: unknown[]) => deps.logger.info({ args }, 'graphql'),
      warn: (...args: unknown[]) => deps.logger.warn({ args }, 'graphql'),
      error: (...args: unknown[]) => {
        const err = args.find((a) => a instanceof Error);
        // Not the service's fault: a warning, as the REST routes' 503s are not errors either.
        if (unavailableProblem(err)) deps.logger.warn({ err }, 'graphql read of read models not readable yet');
        else deps.logger.error({ err, args }, 'graphql error');
      },
    },
    // The guard and the tenant check ran before yoga: neither throws here.
    context: ({ req }) => {
      const tenant = tenantOf(req);
      return {
        principal: principalOf(req),
        tenant,
        subscriptions: deps.subscriptions,
        db: deps.db,
        schema: deps.schema,
        redis: deps.redis,
        cacheKeyPrefix: deps.cacheKeyPrefix,
        logger: deps.logger,
        feed: deps.feed,
        now,
        ...(deps.resolutions ? { resolutions: deps.resolutions } : {}),
        stockLoader: createStockLoader(deps.db, deps.schema, tenant, (size) => {
          batches.inc();
          batchedSkus.inc(size);
        }),
        priceLoader: createPriceLoader(deps.db, deps.schema, tenant, (size) => {
          priceBatches.inc();
          pricedSkus.inc(size);
        }),
      };
    },
  });
  // The body is read here, not by yoga, so a document over the size limit is a 413 even when
  // sent without a Content-Length (chunked); yoga takes the Buffer as the request's body. The
  // credential is checked first (nothing is read for a caller refused), then the tenant. One
  // handler, so /graphql stays one mount.
  const readBody = express.raw({ type: () => true, limit: MAX_BODY_BYTES });
  const serve = yoga as unknown as (req: Request, res: Response) => void;
  app.use(yoga.graphqlEndpoint, (req: Request, res: Response, next: NextFunction) =>
    deps.guard(req, res, (refused?: unknown) => {
      if (refused) return next(refused);
      try {
        tenantOf(req);
      } catch (error) {
        return next(error);
      }
      readBody(req, res, (error?: unknown) => (error ? next(error) : serve(req, res)));
    }),
  );
}
