import { randomUUID } from 'node:crypto';
import { secretsKeyOf } from '@verity/core';
import { accessContext, apiKeysOf, contexts, type ApiKeyView } from '@verity/domain';
import {
  createCommandIntake,
  createDeadLetters,
  deadLettersTopicSpec,
  ingestorDeadLettersTopic,
  syncMetrics,
} from '@verity/connector-intake';
import { WebhookSecretDirectory } from '@verity/connector-webhooks';
import { contextTopicConfigs, contextTopics, createCommandProducer, ensureTopics, sharedCounter } from '@verity/events';
import {
  checkKafka,
  createHttpApp,
  createPlatform,
  createRequestAuth,
  listen,
  rateLimitRedis,
  type RunningServer,
} from '@verity/service-kit';
import type { WebhookIngestorEnv } from './env';
import { mountWebhookRoutes } from './webhook-routes';

export interface WebhookIngestorService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** Webhooks in: signed deliveries of the SaaS systems become commands on the commands topics. */
export function createWebhookIngestorService(env: WebhookIngestorEnv): WebhookIngestorService {
  const platform = createPlatform('webhook-ingestor', env);
  const { kafka, logger } = platform;
  const admin = kafka.admin();
  const producer = createCommandProducer(platform.rdkafka);
  const prefix = env.VERITY_TOPIC_PREFIX;
  const deadLettersTopic = ingestorDeadLettersTopic('webhooks', prefix);
  const kek = secretsKeyOf(env.VERITY_SECRETS_KEY);
  const directory = new WebhookSecretDirectory({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin,
    topic: contextTopics(accessContext.name, prefix).state,
    clientId: `${prefix}.webhook-ingestor.secrets.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
    kek,
    // Its id only: a secret is never logged.
    onUnsealable: (secret, error) =>
      logger.warn(
        { secretId: secret.secretId, tenant: secret.tenant, source: secret.source, err: error.message },
        'webhook secret not usable',
      ),
  });
  const refused = sharedCounter(platform.metrics, {
    name: 'verity_webhooks_refused_total',
    help: 'Webhook deliveries refused before any command was made, by source and reason',
    labelNames: ['source', 'reason'],
  });
  const maxBodyBytes = env.VERITY_WEBHOOK_MAX_BODY_BYTES;
  // Deliveries are authenticated by their signatures; the credential guards /metrics only.
  const redis = rateLimitRedis(env.VERITY_REDIS_URL, logger);
  const auth = createRequestAuth<ApiKeyView>({
    env,
    admin,
    accessStateTopic: contextTopics(accessContext.name, prefix).state,
    keysOf: apiKeysOf,
    redis,
    metrics: platform.metrics,
    logger,
    clientId: `${prefix}.webhook-ingestor.api-keys.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  const app = createHttpApp(
    {
      service: 'webhook-ingestor',
      logger,
      metrics: platform.metrics,
      maxBodyBytes,
      metricsGuard: auth.metricsGuard,
      readiness: async () => [
        auth.check(),
        await checkKafka(kafka),
        { name: 'webhook-secrets', status: directory.isReady() ? 'up' : 'down' },
      ],
    },
    (app) =>
      mountWebhookRoutes(app, {
        directory,
        intake: createCommandIntake({ producer, contexts, topicPrefix: prefix }),
        deadLetters: createDeadLetters(producer, deadLettersTopic),
        sync: syncMetrics(platform.metrics),
        refused,
        maxBodyBytes,
      }),
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      await admin.connect();
      await ensureTopics(
        admin,
        [
          ...contexts.flatMap((c) => contextTopicConfigs(contextTopics(c.name, prefix), env.VERITY_PARTITIONS)),
          deadLettersTopicSpec(deadLettersTopic),
        ],
        env.VERITY_REPLICATION_FACTOR,
      );
      await producer.connect();
      await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'rate-limit redis unavailable'));
      await auth.start();
      await directory.start();
      server = await listen(app, env.VERITY_WEBHOOK_INGESTOR_PORT, env);
      // The key's id (not the key): a secret sealed under another id is not usable here.
      logger.info({ url: server.url, secretsKey: kek.id }, 'webhook-ingestor listening');
      return server;
    },
    async stop() {
      await server?.close();
      await directory.stop();
      await auth.stop();
      redis.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
