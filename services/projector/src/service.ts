import {
  contextTopics,
  createCommandOutcomesProjector,
  createProjector,
  grantReader,
  projectionGroupId,
  READ_MODELS_GROUP,
  readerRoleOf,
  repliesTopic,
  type AnyProjection,
} from '@verity/events';
import { checkKafka, createHttpApp, createPlatform, listen, probe, type RunningServer } from '@verity/service-kit';
import { Redis } from 'ioredis';
import knex from 'knex';
import { createDeadLetterProjector } from '@verity/projection-sync-status';
import { ALIAS_RESOLUTIONS, createResolutionsProjector } from '@verity/projection-alias-resolutions';
import type { ProjectorEnv } from './env';
import { projections as allProjections } from './projections';

export interface ProjectorService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/**
 * Runs the given read models (all by default) from one consumer group, a batch applied to all
 * that read its topic in one transaction, and the command outcomes read model, which the
 * gateway answers old commands from.
 */
export function createProjectorService(
  env: ProjectorEnv,
  projections: readonly AnyProjection[] = allProjections,
): ProjectorService {
  const platform = createPlatform('projector', env);
  const reader = readerRoleOf(env.VERITY_QUERY_DATABASE_URL);
  const db = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 10 } });
  const redis = new Redis(env.VERITY_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (error) => platform.logger.debug({ err: error }, 'redis error'));
  const groupId = (name: string): string =>
    env.VERITY_PROJECTOR_GROUP_PREFIX
      ? `${env.VERITY_PROJECTOR_GROUP_PREFIX}.${name}`
      : projectionGroupId(name, env.VERITY_TOPIC_PREFIX);
  const readModels = createProjector({
    kafka: platform.kafka,
    serde: platform.serde,
    projections,
    topicsOf: (context) => contextTopics(context, env.VERITY_TOPIC_PREFIX),
    db,
    schema: env.VERITY_DB_SCHEMA,
    redis,
    cacheKeyPrefix: env.VERITY_TOPIC_PREFIX,
    groupId: groupId(READ_MODELS_GROUP),
    logger: platform.logger,
    metrics: platform.metrics,
    partitions: env.VERITY_PARTITIONS,
    replicationFactor: env.VERITY_REPLICATION_FACTOR,
    partitionsConsumedConcurrently: env.VERITY_PROJECTOR_CONCURRENCY,
  });
  const outcomes = createCommandOutcomesProjector({
    kafka: platform.kafka,
    db,
    schema: env.VERITY_DB_SCHEMA,
    topic: repliesTopic(env.VERITY_TOPIC_PREFIX),
    groupId: groupId('command-outcomes'),
    retentionMs: env.VERITY_OUTCOME_RETENTION_MS,
    fetchGatherMs: env.VERITY_OUTCOMES_FETCH_GATHER_MS,
    logger: platform.logger,
    metrics: platform.metrics,
    replicationFactor: env.VERITY_REPLICATION_FACTOR,
  });
  // Ingestors' dead letters, for the sync status: beside the read models, as the outcomes are.
  const deadLetters = createDeadLetterProjector({
    kafka: platform.kafka,
    db,
    schema: env.VERITY_DB_SCHEMA,
    topicPrefix: env.VERITY_TOPIC_PREFIX,
    groupId: groupId('sync-dead-letters'),
    logger: platform.logger,
    replicationFactor: env.VERITY_REPLICATION_FACTOR,
  });
  // Who resolved which alias, from the topic the query-api instances append to: for the audit.
  const resolutions = createResolutionsProjector({
    kafka: platform.kafka,
    registry: platform.registry,
    db,
    schema: env.VERITY_DB_SCHEMA,
    topicPrefix: env.VERITY_TOPIC_PREFIX,
    groupId: groupId(ALIAS_RESOLUTIONS),
    logger: platform.logger,
    metrics: platform.metrics,
    retentionMs: env.VERITY_ALIAS_RESOLUTIONS_RETENTION_DAYS * 86_400_000,
    replicationFactor: env.VERITY_REPLICATION_FACTOR,
  });
  const app = createHttpApp(
    {
      service: 'projector',
      logger: platform.logger,
      metrics: platform.metrics,
      readiness: async () => [
        await checkKafka(platform.kafka),
        await probe('postgres', () => db.raw('select 1')),
        await probe('redis', () => redis.ping(), { optional: true }),
        ...projections.map((p) => ({
          name: `projection:${p.name}`,
          status: readModels.isReady() ? ('up' as const) : ('down' as const),
        })),
        { name: 'projection:command-outcomes', status: outcomes.isReady() ? 'up' : 'down' },
        { name: 'projection:sync-dead-letters', status: deadLetters.isReady() ? 'up' : 'down' },
        { name: `projection:${ALIAS_RESOLUTIONS}`, status: resolutions.isReady() ? 'up' : 'down' },
      ],
    },
    () => undefined,
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      await redis
        .connect()
        .catch((error: Error) => platform.logger.warn({ err: error }, 'redis unavailable; the cache will be skipped'));
      // Before the consumers: a change a read model shows is readable by the query-api.
      await grantReader(db, env.VERITY_DB_SCHEMA, reader);
      await readModels.start();
      await outcomes.start();
      await deadLetters.start();
      await resolutions.start();
      server = await listen(app, env.VERITY_PROJECTOR_PORT, env);
      platform.logger.info({ url: server.url }, 'projector listening');
      return server;
    },
    async stop() {
      await server?.close();
      await Promise.all([readModels, outcomes, deadLetters, resolutions].map((p) => p.stop()));
      redis.disconnect();
      await db.destroy();
    },
  };
}
