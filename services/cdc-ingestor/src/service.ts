import type { ContextDefinition } from '@verity/core';
import { cdcTopicPrefix, type CdcRecord } from '@verity/connector-cdc';
import {
  createCommandIntake,
  createDeadLetters,
  deadLettersTopicSpec,
  ingestorDeadLettersTopic,
  syncMetrics,
} from '@verity/connector-intake';
import { createCommandProducer, ensureTopics } from '@verity/events';
import { checkKafka, createHttpApp, createPlatform, listen, type RunningServer } from '@verity/service-kit';
import type { CdcIngestorEnv } from './env';
import { createRecordIngest } from './ingest-records';

export interface CdcIngestorService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** The ingestor's consumer group: one per Verity topic prefix unless configured. */
export const cdcGroupId = (env: Pick<CdcIngestorEnv, 'VERITY_TOPIC_PREFIX' | 'VERITY_CDC_GROUP_ID'>): string =>
  env.VERITY_CDC_GROUP_ID ?? `${env.VERITY_TOPIC_PREFIX}.cdc-ingestor`;

/** `^<prefix>\.cdc\.`: every Debezium topic of a connector applied under this prefix (the prefix is `[a-z0-9-]`). */
const topicPattern = (prefix: string): RegExp => new RegExp(`^${cdcTopicPrefix(prefix).replace(/\./g, '\\.')}`);

/**
 * Consumes the Debezium topics of every connector applied under the topic prefix and appends
 * their row changes as commands through the intake, committing a partition's offset only once
 * the batch's commands and dead letters are durable.
 */
export function createCdcIngestorService(
  env: CdcIngestorEnv,
  contexts: readonly ContextDefinition[],
): CdcIngestorService {
  const platform = createPlatform('cdc-ingestor', env);
  const { logger } = platform;
  const producer = createCommandProducer(platform.rdkafka);
  const deadLettersTopic = ingestorDeadLettersTopic('cdc', env.VERITY_TOPIC_PREFIX);
  const ingest = createRecordIngest({
    intake: createCommandIntake({ producer, contexts, topicPrefix: env.VERITY_TOPIC_PREFIX }),
    deadLetters: createDeadLetters(producer, deadLettersTopic),
    metrics: syncMetrics(platform.metrics),
    contexts,
    logger,
  });
  const consumer = platform.rdkafka.consumer({
    kafkaJS: {
      groupId: cdcGroupId(env),
      fromBeginning: true,
      autoCommit: false,
      allowAutoTopicCreation: false,
    },
    'topic.metadata.refresh.interval.ms': env.VERITY_CDC_TOPIC_REFRESH_MS,
    'js.consumer.max.batch.size': 500,
  });
  let consuming = false;
  const app = createHttpApp(
    {
      service: 'cdc-ingestor',
      logger,
      metrics: platform.metrics,
      readiness: async () => [
        await checkKafka(platform.kafka),
        { name: 'consumer', status: consuming ? 'up' : 'down' },
      ],
    },
    () => undefined,
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      const admin = platform.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [deadLettersTopicSpec(deadLettersTopic)], env.VERITY_REPLICATION_FACTOR);
      } finally {
        await admin.disconnect();
      }
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [topicPattern(env.VERITY_TOPIC_PREFIX)] });
      await consumer.run({
        // A batch that returns is resolved; one that throws is read again from its first record.
        eachBatch: async ({ batch }) => {
          const records: CdcRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            value: m.value,
            headers: m.headers,
          }));
          await ingest(records);
          const last = batch.messages[batch.messages.length - 1];
          if (!last) return;
          // Committed only now: every command of the batch is durable on its commands topic.
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) },
          ]);
        },
      });
      consuming = true;
      server = await listen(app, env.VERITY_CDC_INGESTOR_PORT, env);
      logger.info({ url: server.url, pattern: topicPattern(env.VERITY_TOPIC_PREFIX).source }, 'cdc-ingestor listening');
      return server;
    },
    async stop() {
      consuming = false;
      await server?.close();
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
  };
}
