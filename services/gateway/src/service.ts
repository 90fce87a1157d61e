import { type ContextDefinition } from '@verity/core';
import { contextTopicConfigs, contextTopics, ensureTopics, repliesTopic, repliesTopicConfig } from '@verity/events';
import {
  checkKafka,
  checkSchemaRegistry,
  createHttpApp,
  createPlatform,
  listen,
  type RunningServer,
} from '@verity/service-kit';
import { mountCommandRoutes } from './command-routes';
import { buildGatewayOpenApi } from './openapi';
import type { GatewayEnv } from './env';
import { ReplyTable } from './reply-table';

export interface GatewayService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** The command API: validates, appends commands to Kafka, answers with their outcome. */
export function createGatewayService(env: GatewayEnv, contexts: readonly ContextDefinition[]): GatewayService {
  const platform = createPlatform('gateway', env);
  const { kafka, logger } = platform;
  // librdkafka batches the sends of concurrent requests into one produce request per
  // partition, and partitions keys with Java's murmur2 (the same key lands on the same
  // partition whichever client wrote it).
  const producer = platform.rdkafka.producer({
    kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
    'linger.ms': 1,
    partitioner: 'murmur2_random',
  });
  const admin = kafka.admin();
  const openApi = buildGatewayOpenApi(contexts);
  const replies = new ReplyTable(
    kafka,
    admin,
    repliesTopic(env.VERITY_TOPIC_PREFIX),
    `${env.VERITY_TOPIC_PREFIX}.gateway.replies`,
  );
  const app = createHttpApp(
    {
      service: 'gateway',
      logger,
      metrics: platform.metrics,
      readiness: async () => [
        await checkKafka(kafka),
        await checkSchemaRegistry(env.VERITY_SCHEMA_REGISTRY_URL),
        { name: 'reply-table', status: replies.isReady() ? 'up' : 'down' },
      ],
    },
    (app) => {
      mountCommandRoutes(app, {
        contexts,
        producer,
        replies,
        topicPrefix: env.VERITY_TOPIC_PREFIX,
        replyTimeoutMs: env.VERITY_REPLY_TIMEOUT_MS,
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
          repliesTopicConfig(repliesTopic(env.VERITY_TOPIC_PREFIX)),
        ],
        env.VERITY_REPLICATION_FACTOR,
      );
      await producer.connect();
      await replies.start();
      server = await listen(app, env.VERITY_GATEWAY_PORT);
      logger.info({ url: server.url }, 'gateway listening');
      return server;
    },
    async stop() {
      await server?.close();
      await replies.stop();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
