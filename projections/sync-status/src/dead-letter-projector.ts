import type { Admin, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Knex } from 'knex';
import {
  CHECKPOINTED_RUN,
  commitOffsetsEverySecond,
  INGESTORS,
  deadLettersTopicSpec,
  ensureTopics,
  ingestorDeadLettersTopic,
  migrateProjection,
  readersOf,
  seekToCheckpointsOnJoin,
  withCheckpoint,
  type Logger,
  type Projector,
} from '@verity/events';
import { SYNC_DEAD_LETTERS_TABLE } from './migrations';
import { syncStatusProjection } from './projection';

export interface DeadLetterProjectorOptions {
  kafka: Kafka;
  db: Knex;
  schema: string;
  topicPrefix: string;
  groupId: string;
  logger: Logger;
  replicationFactor?: number;
}

/** The checkpoints of the dead-letter topics are kept under this name, beside the projection's. */
const CHECKPOINT_NAME = `${syncStatusProjection.name}.dead-letters`;

/** A letter or a replay marker as the ingestors and `verity dlq replay` write them. */
export type DeadLetterRecord =
  | {
      kind: 'letter';
      id: string;
      tenant: string;
      ingestor: string;
      source: string;
      code: string;
      reason: string;
      position: string | null;
      at: string;
    }
  | { kind: 'replayed'; id: string; at: string };

/** Reads one record of a dead-letter topic; undefined for anything else (skipped, not fatal). */
export function deadLetterRecordOf(value: Buffer | null): DeadLetterRecord | undefined {
  if (!value) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const r = parsed as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  if (text(r.replayed) && text(r.at)) return { kind: 'replayed', id: text(r.replayed)!, at: text(r.at)! };
  const [id, ingestor, source, code, reason, at] = [r.id, r.ingestor, r.source, r.code, r.reason, r.at].map(text);
  if (!id || !ingestor || !source || !code || reason === undefined || !at) return undefined;
  return {
    kind: 'letter',
    id,
    tenant: text(r.tenant) ?? '',
    ingestor,
    source,
    code,
    reason,
    position: text(r.position) ?? null,
    at,
  };
}

async function applyRecords(trx: Knex.Transaction, schema: string, records: DeadLetterRecord[]): Promise<void> {
  for (const record of records) {
    if (record.kind === 'letter') {
      await trx
        .withSchema(schema)
        .table(SYNC_DEAD_LETTERS_TABLE)
        .insert({
          tenant: record.tenant,
          id: record.id,
          ingestor: record.ingestor,
          source_system: record.source,
          code: record.code,
          reason: record.reason,
          position: record.position,
          given_up_at: record.at,
        })
        // The same change given up again is the same letter.
        .onConflict(['tenant', 'id'])
        .ignore();
    } else {
      await trx
        .withSchema(schema)
        .table(SYNC_DEAD_LETTERS_TABLE)
        .where({ id: record.id })
        .whereNull('replayed_at')
        .update({ replayed_at: record.at });
    }
  }
}

/**
 * Keeps `sync_dead_letters` from every ingestor's dead-letter topic: one consumer group over
 * the four topics, and per batch ONE PostgreSQL transaction that records the letters and moves
 * the checkpoint, as the event projectors do, so a redelivered batch counts nothing twice.
 */
export function createDeadLetterProjector(options: DeadLetterProjectorOptions): Projector {
  const { kafka, db, schema, groupId } = options;
  const topics = INGESTORS.map((ingestor) => ingestorDeadLettersTopic(ingestor, options.topicPrefix));
  const log = options.logger.child({ component: 'projector', projection: CHECKPOINT_NAME });
  const admin: Admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });

  const seek = seekToCheckpointsOnJoin(consumer, {
    db,
    schema,
    readers: readersOf(CHECKPOINT_NAME, topics),
    log,
  });
  const commits = commitOffsetsEverySecond(consumer, log);

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const last = batch.messages.at(-1);
    if (!last) return;
    await withCheckpoint(
      db,
      schema,
      { projection: CHECKPOINT_NAME, topic: batch.topic, partition: batch.partition },
      (BigInt(last.offset) + 1n).toString(),
      async (trx, next) => {
        const fresh = batch.messages.filter((m: KafkaMessage) => BigInt(m.offset) >= next);
        const records = fresh.flatMap((m) => {
          const record = deadLetterRecordOf(m.value);
          if (!record) log.warn({ topic: batch.topic, offset: m.offset }, 'not a dead letter; skipped');
          return record ? [record] : [];
        });
        await applyRecords(trx, schema, records);
      },
    );
    await commits.settle(payload, last.offset);
  }

  return {
    async start() {
      // Its table is the sync-status read model's, which may not have been migrated yet.
      await migrateProjection(db, schema, syncStatusProjection);
      await admin.connect();
      await ensureTopics(admin, topics.map(deadLettersTopicSpec), options.replicationFactor);
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await seek.prime();
      await consumer.run({ ...CHECKPOINTED_RUN, eachBatch: processBatch });
      log.info({ topics }, 'dead-letter projector started');
    },
    async stop() {
      seek.stop();
      await commits.stop();
      await consumer.disconnect();
      await admin.disconnect();
    },
    isReady: seek.isReady,
  };
}
