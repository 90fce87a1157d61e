import { randomUUID } from 'node:crypto';
import { accessContext, apiKeysOf, contexts } from '@verity/domain';
import {
  checkpointsChannel,
  contextTopicConfigs,
  contextTopics,
  ensureTopics,
  parseCheckpointNotice,
} from '@verity/events';
import {
  createHttpApp,
  deploymentAsyncApi,
  createPlatform,
  createRequestAuth,
  listen,
  probe,
  type RunningServer,
} from '@verity/service-kit';
import { Redis } from 'ioredis';
import knex from 'knex';
import type { QueryApiEnv } from './env';
import { tenantDb } from './tenant-db';
import { mountInventoryRoutes } from './inventory-routes';
import { mountCatalogRoutes } from './catalog-routes';
import { mountAliasRoutes } from './aliases-routes';
import { mountAliasAuditRoutes } from './alias-audit-routes';
import { createResolutionLog } from './resolution-log';
import { mountPricingRoutes } from './pricing-routes';
import { mountConflictRoutes } from './conflicts-routes';
import { mountSyncRoutes } from './sync-routes';
import { mountStreamRoutes } from './stream-routes';
import { buildQueryApiOpenApi } from './openapi';
import { aliasesRegistryProjection } from '@verity/projection-aliases-registry';
import { catalogProductsProjection } from '@verity/projection-catalog-products';
import { streamHistoryProjection } from '@verity/projection-stream-history';
import { changesChannel, inventoryStockProjection } from '@verity/projection-inventory-stock';
import { pricingProjection } from '@verity/projection-pricing';
import { sourceConflictsProjection } from '@verity/projection-source-conflicts';
import { createCheckpointWatch } from './checkpoint-watch';
import { ChangeFeed, mountGraphql, parseNotice, SubscriptionQuota } from './graphql';

export interface QueryApiService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/**
 * Serves the read models over REST and GraphQL, through the Redis cache when it is up. Every
 * route but /health, /ready, /openapi.json and /asyncapi.json needs a credential of the tenant it
 * reads, with `read` on the route's context; /metrics as VERITY_METRICS_OPEN says.
 */
export function createQueryApiService(env: QueryApiEnv): QueryApiService {
  const platform = createPlatform('query-api', env);
  // As the reader role, never the owner: row-level security applies (see tenant-db.ts).
  const pool = knex({ client: 'pg', connection: env.VERITY_QUERY_DATABASE_URL, pool: { min: 0, max: 10 } });
  const db = tenantDb(pool);
  const redis = new Redis(env.VERITY_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (error) => platform.logger.debug({ err: error }, 'redis error'));
  // GraphQL subscriptions: a connection of its own (a subscribed client runs no other command).
  const feed = new ChangeFeed();
  const subscriber = new Redis(env.VERITY_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  subscriber.on('error', (error) => platform.logger.debug({ err: error }, 'redis subscriber error'));
  // Consistency waits wake when a projector's checkpoint moves; they poll while this is down.
  const checkpointWatch = createCheckpointWatch(env.VERITY_DB_SCHEMA, () => subscriber.status === 'ready');
  const checkpoints = checkpointsChannel(env.VERITY_TOPIC_PREFIX);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === checkpoints) {
      const moved = parseCheckpointNotice(message);
      if (moved) checkpointWatch.notice(moved);
      return;
    }
    const notice = parseNotice(message);
    if (notice) feed.publish(notice);
  });
  const openApi = buildQueryApiOpenApi();
  // The contract of the events topics downstream teams consume, as this deployment names them.
  const asyncApi = deploymentAsyncApi(env, contexts);
  // The key directory reads the access context's state topic: every issued, rotated or revoked key.
  const accessTopics = contextTopics(accessContext.name, env.VERITY_TOPIC_PREFIX);
  const admin = platform.kafka.admin();
  const auth = createRequestAuth({
    env,
    admin,
    accessStateTopic: accessTopics.state,
    keysOf: apiKeysOf,
    // Its options suit the limits: no offline queue, one try, so a Redis outage falls back at once.
    redis,
    metrics: platform.metrics,
    logger: platform.logger,
    clientId: `${env.VERITY_TOPIC_PREFIX}.query-api.keys.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  const { guard } = auth;
  // Who resolved which alias: buffered, and appended to its own topic off the request path.
  const resolutions = createResolutionLog({
    rdkafka: platform.rdkafka,
    admin,
    registry: platform.registry,
    topicPrefix: env.VERITY_TOPIC_PREFIX,
    replicationFactor: env.VERITY_REPLICATION_FACTOR,
    capacity: env.VERITY_ALIAS_RESOLUTIONS_BUFFER,
    batchSize: env.VERITY_ALIAS_RESOLUTIONS_BATCH,
    flushEveryMs: env.VERITY_ALIAS_RESOLUTIONS_FLUSH_MS,
    metrics: platform.metrics,
    logger: platform.logger,
  });
  // The events topics a read model is built from: what a consistency token for its reads may name.
  const topicsOf = (projection: { contexts: readonly string[] }) =>
    projection.contexts.map((context) => contextTopics(context, env.VERITY_TOPIC_PREFIX).events);
  const readModels = [
    inventoryStockProjection,
    catalogProductsProjection,
    aliasesRegistryProjection,
    pricingProjection,
    sourceConflictsProjection,
  ].map((p) => ({ projection: p.name, topics: topicsOf(p) }));
  const app = createHttpApp(
    {
      service: 'query-api',
      logger: platform.logger,
      metrics: platform.metrics,
      readiness: async () => [
        await probe('postgres', () => db.ping()),
        await probe('redis', () => redis.ping(), { optional: true }),
        auth.check(),
      ],
      metricsGuard: auth.metricsGuard,
    },
    (app) => {
      mountInventoryRoutes(app, {
        guard,
        db,
        schema: env.VERITY_DB_SCHEMA,
        redis,
        cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
        logger: platform.logger,
        eventsTopic: topicsOf(inventoryStockProjection),
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
      });
      mountCatalogRoutes(app, {
        guard,
        db,
        schema: env.VERITY_DB_SCHEMA,
        redis,
        cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
        logger: platform.logger,
        eventsTopic: topicsOf(catalogProductsProjection),
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
      });
      mountAliasRoutes(app, {
        guard,
        db,
        schema: env.VERITY_DB_SCHEMA,
        redis,
        cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
        logger: platform.logger,
        eventsTopic: topicsOf(aliasesRegistryProjection),
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
        metrics: platform.metrics,
        resolutions,
      });
      mountAliasAuditRoutes(app, { guard, db, schema: env.VERITY_DB_SCHEMA });
      mountPricingRoutes(app, {
        guard,
        db,
        schema: env.VERITY_DB_SCHEMA,
        redis,
        cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
        logger: platform.logger,
        eventsTopic: topicsOf(pricingProjection),
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
      });
      mountConflictRoutes(app, {
        guard,
        db,
        schema: env.VERITY_DB_SCHEMA,
        redis,
        cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
        logger: platform.logger,
        eventsTopic: topicsOf(sourceConflictsProjection),
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
      });
      mountSyncRoutes(app, { guard, db, schema: env.VERITY_DB_SCHEMA });
      mountStreamRoutes(app, {
        guard,
        db,
        schema: env.VERITY_DB_SCHEMA,
        eventsTopic: topicsOf(streamHistoryProjection),
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
      });
      app.get('/openapi.json', (_req, res) => void res.json(openApi));
      app.get('/asyncapi.json', (_req, res) => void res.json(asyncApi));
      mountGraphql(app, {
        db,
        schema: env.VERITY_DB_SCHEMA,
        redis,
        cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
        logger: platform.logger,
        metrics: platform.metrics,
        guard,
        feed,
        subscriptions: new SubscriptionQuota(env.VERITY_GRAPHQL_SUBSCRIPTIONS_PER_CREDENTIAL),
        readModels,
        consistencyTimeoutMs: env.VERITY_CONSISTENCY_TIMEOUT_MS,
        checkpointWatch,
        limits: env,
        resolutions,
      });
    },
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      await redis
        .connect()
        .catch((error: Error) => platform.logger.warn({ err: error }, 'redis unavailable; reading PostgreSQL only'));
      await admin.connect();
      // As the command processor creates them: a query-api may start before any key was issued.
      await ensureTopics(
        admin,
        contextTopicConfigs(accessTopics, env.VERITY_PARTITIONS),
        env.VERITY_REPLICATION_FACTOR,
      );
      await auth.start();
      await resolutions.start();
      // ioredis re-subscribes by itself after a reconnect.
      await subscriber
        .connect()
        .then(() => subscriber.subscribe(changesChannel(env.VERITY_TOPIC_PREFIX), checkpoints))
        .catch((error: Error) =>
          platform.logger.warn({ err: error }, 'redis unavailable; no GraphQL subscription events'),
        );
      server = await listen(app, env.VERITY_QUERY_API_PORT, env);
      platform.logger.info({ url: server.url }, 'query-api listening');
      return server;
    },
    async stop() {
      feed.close();
      await server?.close();
      // After the server: the last answers' resolutions are in the buffer, sent before it goes.
      await resolutions.stop();
      await auth.stop();
      await admin.disconnect();
      redis.disconnect();
      subscriber.disconnect();
      await pool.destroy();
    },
  };
}
