import { randomUUID } from 'node:crypto';
import { secretsKeyOf } from '@verity/core';
import { accessContext, apiKeysOf, contexts, type ApiKeyView, type WebhookSubscriptionView } from '@verity/domain';
import { createCommandIntake } from '@verity/connector-intake';
import {
  DeliverySender,
  SubscriptionDirectory,
  endpointPolicyOf,
  type RetrySchedule,
} from '@verity/connector-outbound';
import {
  contextTopicConfigs,
  contextTopics,
  createCommandProducer,
  createProjector,
  ensureTopics,
  migrateProjection,
  projectionGroupId,
  sharedCounter,
} from '@verity/events';
import {
  checkKafka,
  createHttpApp,
  createPlatform,
  createRequestAuth,
  listen,
  probe,
  rateLimitRedis,
  type RunningServer,
} from '@verity/service-kit';
import { Redis } from 'ioredis';
import knex from 'knex';
import { DeliveryWorker } from './delivery-worker';
import { startOutboxPruner } from './outbox-pruner';
import { startOverlapEnder } from './overlap-ender';
import type { WebhookDispatcherEnv } from './env';
import { OUTBOX_PROJECTION, outboxProjection } from './outbox-projection';

export interface WebhookDispatcherService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/**
 * Outbound webhooks: queues each event a subscription matches (a consumer of the events topics,
 * its own group, read_committed, checkpoint in the outbox's transaction) and sends the queue,
 * signed, in stream order per subscription, retrying with backoff.
 */
export function createWebhookDispatcherService(env: WebhookDispatcherEnv): WebhookDispatcherService {
  const platform = createPlatform('webhook-dispatcher', env);
  const { kafka, logger } = platform;
  const prefix = env.VERITY_TOPIC_PREFIX;
  const admin = kafka.admin();
  const producer = createCommandProducer(platform.rdkafka);
  const db = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 10 } });
  const kek = secretsKeyOf(env.VERITY_SECRETS_KEY);
  const accessState = contextTopics(accessContext.name, prefix).state;
  const security = platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {};
  const directory = new SubscriptionDirectory({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin,
    topic: accessState,
    clientId: `${prefix}.webhook-dispatcher.subscriptions.${randomUUID()}`,
    ...security,
    kek,
    // Its id only: a secret is never logged.
    onUnsealable: (subscription, error) =>
      logger.warn(
        { subscriptionId: subscription.subscriptionId, tenant: subscription.tenant, err: error.message },
        'webhook subscription secret not usable: its deliveries wait',
      ),
  });
  const sender = new DeliverySender({ policy: endpointPolicyOf(env), timeoutMs: env.VERITY_WEBHOOKS_TIMEOUT_MS });
  const schedule: RetrySchedule = {
    maxAttempts: env.VERITY_WEBHOOKS_MAX_ATTEMPTS,
    baseMs: env.VERITY_WEBHOOKS_RETRY_BASE_MS,
    maxMs: env.VERITY_WEBHOOKS_RETRY_MAX_MS,
  };
  const intake = createCommandIntake({ producer, contexts, topicPrefix: prefix });
  /** An access command about a subscription, as the dispatcher's own. */
  const submitAccess = async (
    subscription: WebhookSubscriptionView,
    command: string,
    payload: Record<string, unknown>,
  ): Promise<void> => {
    await intake.submit([
      {
        type: `${accessContext.name}.${command}`,
        payload: { subscriptionId: subscription.subscriptionId, ...payload },
        tenant: subscription.tenant,
        commandId: `webhook-dispatcher:${randomUUID()}`,
        sourceSystem: 'api',
        sourceTimestamp: new Date().toISOString(),
        actor: 'service:webhook-dispatcher',
      },
    ]);
  };
  const worker = new DeliveryWorker({
    db,
    schema: env.VERITY_DB_SCHEMA,
    directory,
    sender,
    schedule,
    disableAfter: env.VERITY_WEBHOOKS_DISABLE_AFTER,
    concurrency: env.VERITY_WEBHOOKS_CONCURRENCY,
    laneBatch: env.VERITY_WEBHOOKS_LANE_BATCH,
    leaseMs: env.VERITY_WEBHOOKS_LEASE_MS,
    pollMs: env.VERITY_WEBHOOKS_POLL_MS,
    attempts: sharedCounter(platform.metrics, {
      name: 'verity_webhook_attempts_total',
      help: 'Outbound webhook delivery attempts, by outcome (delivered, failed and retried, dead: given up)',
      labelNames: ['outcome'],
    }),
    logger,
    disable: (subscription, failures) =>
      submitAccess(subscription, 'DisableWebhookSubscription', { reason: 'consecutive_failures', failures }),
  });
  // The projector runtime hands the cache to `publish`; the outbox keeps nothing in Redis and no
  // read waits on it (no checkpoint notices), so it is never connected.
  const unusedCache = new Redis(env.VERITY_REDIS_URL, { lazyConnect: true });
  const outbox = outboxProjection({
    contexts,
    directory,
    catchUpTimeoutMs: 10_000,
    onQueued: () => worker.wake(),
  });
  const projector = createProjector({
    kafka,
    serde: platform.serde,
    projections: [outbox],
    topicsOf: (context) => contextTopics(context, prefix),
    db,
    schema: env.VERITY_DB_SCHEMA,
    redis: unusedCache,
    cacheKeyPrefix: prefix,
    groupId: projectionGroupId(OUTBOX_PROJECTION, prefix),
    logger,
    metrics: platform.metrics,
    partitions: env.VERITY_PARTITIONS,
    replicationFactor: env.VERITY_REPLICATION_FACTOR,
    checkpointNotices: false,
    fetchGatherMs: env.VERITY_WEBHOOKS_FETCH_GATHER_MS,
  });
  const redis = rateLimitRedis(env.VERITY_REDIS_URL, logger);
  const auth = createRequestAuth<ApiKeyView>({
    env,
    admin,
    accessStateTopic: accessState,
    keysOf: apiKeysOf,
    redis,
    metrics: platform.metrics,
    logger,
    clientId: `${prefix}.webhook-dispatcher.api-keys.${randomUUID()}`,
    ...security,
  });
  const app = createHttpApp(
    {
      service: 'webhook-dispatcher',
      logger,
      metrics: platform.metrics,
      metricsGuard: auth.metricsGuard,
      readiness: async () => [
        auth.check(),
        await checkKafka(kafka),
        await probe('postgres', () => db.raw('SELECT 1')),
        { name: 'webhook-subscriptions', status: directory.isReady() ? 'up' : 'down' },
        { name: 'outbox-consumer', status: projector.isReady() ? 'up' : 'down' },
      ],
    },
    () => undefined,
  );
  let server: RunningServer | undefined;
  let pruner: { stop(): Promise<void> } | undefined;
  let overlapEnder: { stop(): Promise<void> } | undefined;

  return {
    async start() {
      await admin.connect();
      await ensureTopics(
        admin,
        contexts.flatMap((c) => contextTopicConfigs(contextTopics(c.name, prefix), env.VERITY_PARTITIONS)),
        env.VERITY_REPLICATION_FACTOR,
      );
      await producer.connect();
      await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'rate-limit redis unavailable'));
      await auth.start();
      await directory.start();
      // What is queued is sent at once: a restarted instance's consumer may wait out a dead
      // member's session (10 s) before it joins the group, and the outbox does not depend on it.
      await migrateProjection(db, env.VERITY_DB_SCHEMA, outbox);
      await worker.start();
      await projector.start();
      const retentionMs = env.VERITY_WEBHOOKS_RETENTION_HOURS * 3_600_000;
      pruner = startOutboxPruner({
        db,
        schema: env.VERITY_DB_SCHEMA,
        retentionMs,
        everyMs: Math.min(retentionMs, 3_600_000),
        pruned: sharedCounter(platform.metrics, {
          name: 'verity_webhook_deliveries_pruned_total',
          help: 'Settled outbound webhook deliveries removed from the outbox past VERITY_WEBHOOKS_RETENTION_HOURS',
        }),
        logger,
      });
      overlapEnder = startOverlapEnder({
        directory,
        everyMs: 1_000,
        end: (subscription, until) => submitAccess(subscription, 'EndWebhookSubscriptionSecretOverlap', { until }),
        logger,
      });
      server = await listen(app, env.VERITY_WEBHOOK_DISPATCHER_PORT, env);
      logger.info({ url: server.url, secretsKey: kek.id }, 'webhook-dispatcher listening');
      return server;
    },
    async stop() {
      await server?.close();
      await projector.stop();
      await worker.stop();
      await pruner?.stop();
      await overlapEnder?.stop();
      sender.close();
      await directory.stop();
      await auth.stop();
      redis.disconnect();
      unusedCache.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      await db.destroy();
    },
  };
}
