import { randomUUID } from 'node:crypto';
import { secretsKeyOf, type ContextDefinition } from '@verity/core';
import { SubscriptionDirectory, endpointPolicyOf } from '@verity/connector-outbound';
import {
  createCommandProducer,
  contextTopicConfigs,
  contextTopics,
  ensureTopics,
  findCommandOutcome,
  repliesTopic,
  repliesTopicConfig,
  sharedCounter,
  sharedGauge,
} from '@verity/events';
import { accessContext, apiKeysOf, type ApiKeyView } from '@verity/domain';
import {
  checkKafka,
  checkSchemaRegistry,
  createHttpApp,
  createPlatform,
  createRequestAuth,
  listen,
  probe,
  rateLimitRedis,
  type RunningServer,
} from '@verity/service-kit';
import knex from 'knex';
import { Pool } from 'pg';
import { ADMIN_KEYS_PATH, mountAdminKeyRoutes } from './admin-key-routes';
import { mountCommandRoutes } from './command-routes';
import { eventsEndsOf, mountImportRoutes } from './import-routes';
import { buildGatewayOpenApi } from './openapi';
import type { GatewayEnv } from './env';
import { OutcomeLookup, type OutcomeStore } from './outcome-lookup';
import { RecentReplies } from './recent-replies';
import { ReplyTable } from './reply-table';
import { mountWebhookSubscriptionRoutes } from './webhook-subscription-routes';

/**
 * Contexts whose commands `POST /v1/commands` does not take (404 unknown_command_type), and the
 * route that sends them: access commands carry key hashes the gateway makes itself, so an access
 * admin issues, rotates and revokes keys through the admin API (the key is shown once there).
 */
const NOT_PUBLIC = new Map([['access', ADMIN_KEYS_PATH]]);

/** The contexts whose commands the command route takes and the OpenAPI document lists. */
export const publicContexts = (contexts: readonly ContextDefinition[]): ContextDefinition[] =>
  contexts.filter((c) => !NOT_PUBLIC.has(c.name));

export interface GatewayService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** The command API: validates, appends commands to Kafka, answers with their outcome. */
export function createGatewayService(env: GatewayEnv, contexts: readonly ContextDefinition[]): GatewayService {
  const platform = createPlatform('gateway', env);
  const { kafka, logger } = platform;
  const producer = createCommandProducer(platform.rdkafka);
  const admin = kafka.admin();
  const commandContexts = publicContexts(contexts);
  const openApi = buildGatewayOpenApi(commandContexts);
  const db = new Pool({ connectionString: env.VERITY_DATABASE_URL, max: 10 });
  // An idle connection PostgreSQL closed is reported here; the next query opens another.
  db.on('error', (error) => logger.warn({ err: error }, 'postgres connection lost'));
  const store: OutcomeStore = {
    find: (commandId, tenant) =>
      findCommandOutcome(db, env.VERITY_DB_SCHEMA, commandId, {
        windowMs: env.VERITY_OUTCOME_RETENTION_MS,
        ...(tenant === undefined ? {} : { tenant }),
      }),
  };
  const redis = rateLimitRedis(env.VERITY_REDIS_URL, logger);
  const auth = createRequestAuth<ApiKeyView>({
    env,
    admin,
    accessStateTopic: contextTopics('access', env.VERITY_TOPIC_PREFIX).state,
    keysOf: apiKeysOf,
    redis,
    metrics: platform.metrics,
    logger,
    clientId: `${env.VERITY_TOPIC_PREFIX}.gateway.api-keys.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  const { guard } = auth;
  // Outbound webhook subscriptions: listed from the access log, their deliveries read from the dispatcher's outbox.
  const subscriptions = new SubscriptionDirectory({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin,
    topic: contextTopics(accessContext.name, env.VERITY_TOPIC_PREFIX).state,
    clientId: `${env.VERITY_TOPIC_PREFIX}.gateway.webhook-subscriptions.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  const outbox = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 4 } });
  const recent = new RecentReplies({ retentionMs: env.VERITY_OUTCOME_RETENTION_MS });
  const outcomes = new OutcomeLookup(recent, store);
  const repliesRead = sharedCounter(platform.metrics, {
    name: 'verity_gateway_replies_read_total',
    help: 'Replies this gateway read from the replies topic since it started (never those written before)',
  });
  sharedGauge(platform.metrics, {
    name: 'verity_gateway_replies_held',
    help: 'Recent replies this gateway holds in memory (bounded)',
    collect() {
      this.set(recent.size);
    },
  });
  const replies = new ReplyTable({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin,
    topic: repliesTopic(env.VERITY_TOPIC_PREFIX),
    clientId: `${env.VERITY_TOPIC_PREFIX}.gateway.replies`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
    recent,
    logger,
    onRead: () => repliesRead.inc(),
  });
  const app = createHttpApp(
    {
      service: 'gateway',
      logger,
      metrics: platform.metrics,
      metricsGuard: auth.metricsGuard,
      readiness: async () => [
        auth.check(),
        await checkKafka(kafka),
        await checkSchemaRegistry(env.VERITY_SCHEMA_REGISTRY_URL),
        // Where old outcomes are read. A schema the projector has not migrated yet answers
        // lookups with nothing recorded (`findCommandOutcome`), so this gateway does not wait for it.
        await probe('postgres', () => db.query('SELECT 1')),
        { name: 'reply-table', status: replies.isReady() ? 'up' : 'down' },
        { name: 'webhook-subscriptions', status: subscriptions.isReady() ? 'up' : 'down' },
      ],
    },
    (app) => {
      const dispatch = {
        producer,
        replies: recent,
        topicPrefix: env.VERITY_TOPIC_PREFIX,
        replyTimeoutMs: env.VERITY_REPLY_TIMEOUT_MS,
      };
      mountCommandRoutes(app, { ...dispatch, contexts: commandContexts, elsewhere: NOT_PUBLIC, outcomes, guard });
      mountAdminKeyRoutes(app, { ...dispatch, contexts, guard, keys: auth.keys, logger });
      mountWebhookSubscriptionRoutes(app, {
        ...dispatch,
        contexts,
        guard,
        directory: subscriptions,
        kek: env.VERITY_SECRETS_KEY === undefined ? undefined : secretsKeyOf(env.VERITY_SECRETS_KEY),
        rotationOverlapSeconds: env.VERITY_WEBHOOKS_ROTATION_OVERLAP_SECONDS,
        policy: endpointPolicyOf(env),
        db: outbox,
        schema: env.VERITY_DB_SCHEMA,
        logger,
      });
      mountImportRoutes(app, {
        ...dispatch,
        contexts: commandContexts,
        elsewhere: NOT_PUBLIC,
        guard,
        eventsEnds: (context) => eventsEndsOf(admin, context, env.VERITY_TOPIC_PREFIX),
      });
      app.get('/openapi.json', (_req, res) => void res.json(openApi));
    },
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      await admin.connect();
      await ensureTopics(
        admin,
        [
          ...contexts.flatMap((c) =>
            contextTopicConfigs(contextTopics(c.name, env.VERITY_TOPIC_PREFIX), env.VERITY_PARTITIONS),
          ),
          repliesTopicConfig(repliesTopic(env.VERITY_TOPIC_PREFIX), { retentionMs: env.VERITY_OUTCOME_RETENTION_MS }),
        ],
        env.VERITY_REPLICATION_FACTOR,
      );
      // Rate limits fall back to a per-instance limit while Redis is down: no reason not to start.
      await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'rate-limit redis unavailable'));
      await auth.start();
      await producer.connect();
      await replies.start();
      await subscriptions.start();
      server = await listen(app, env.VERITY_GATEWAY_PORT, env);
      logger.info({ url: server.url }, 'gateway listening');
      return server;
    },
    async stop() {
      await server?.close();
      await replies.stop();
      await subscriptions.stop();
      await auth.stop();
      redis.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      await db.end();
      await outbox.destroy();
    },
  };
}
