import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import { InvalidOptionError } from '@verity/core';
import type { AvroSerde } from '../avro-serde';
import type { Logger } from '../logger';
import { commitBatch, handledBy, migrateProjection, type EventBatch } from './batch';
import { ensureCheckpointTable } from './checkpoints';
import { readersOf, seekToCheckpointsOnJoin } from './checkpoint-seek';
import type { EventEnvelope, ProjectionOf } from './projection';
import type { Projector } from './projector';
import { decodeBatch } from './rebuild-batches';
import { onSkippedBatch } from './skipped-batches';

export interface RebuildProjectorOptions<Event extends EventEnvelope, Change> {
  kafka: Kafka;
  serde: AvroSerde;
  /** Applied with `applyBatch` (or `apply`), told that nothing is published. */
  projection: ProjectionOf<Event, Change>;
  /** The projection's events topics; they exist. */
  topics: readonly string[];
  groupId: string;
  /**
   * Where batches are applied, one session per partition at once. A rebuild's own pool may
   * turn `synchronous_commit` off: each batch's checkpoint is in its transaction, so a commit
   * lost to a crash is applied again on resume.
   */
  db: Knex;
  /** PostgreSQL schema of the generation's tables and checkpoints. */
  schema: string;
  logger: Logger;
  /**
   * Bytes fetched per partition, a batch (one transaction) each. Default 1 MiB, 1,300–1,900
   * of the rebuild bench's events: measured, larger batches cost the same CPU an event, and a
   * stop comes sooner.
   */
  maxBytesPerPartition?: number;
  /** Called once if applying fails; the projector then applies nothing more (a new one resumes). */
  onFailure?(error: Error): void;
  /** Told each batch's commit: its partition is applied up to `nextOffset`. */
  onCommitted?(position: { topic: string; partition: number; nextOffset: bigint }): void;
}

/**
 * A projector for a rebuild: a whole log to apply and nobody to tell (no cache, no notices, no
 * Kafka offsets: it seeks to the generation's checkpoints). Each partition's batch commits in
 * one transaction with its checkpoint (`commitBatch`, told nothing is published), while kafkajs fetches and this
 * process decodes the partition's next batch, which commits once the one before has: decoding
 * overlaps PostgreSQL's writes, and a partition's batches commit in offset order.
 *
 * Its reader is kafkajs, not librdkafka: Confluent's binding copies each header of a record
 * into a Buffer of its own (src/common.cc, `ToV8Object`), and a Verity event has 17; measured on
 * 100,000 events, reading cost 52 µs of CPU an event there against 21 µs with kafkajs.
 */
export function createRebuildProjector<Event extends EventEnvelope, Change>(
  options: RebuildProjectorOptions<Event, Change>,
): Projector {
  const { serde, projection, db, schema, topics } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new InvalidOptionError('schema', 'a lowercase PostgreSQL identifier');
  if (topics.length === 0) throw new InvalidOptionError('topics', 'at least one events topic');
  const log = options.logger.child({ component: 'rebuild-projector', projection: projection.name });
  const handles = handledBy(projection);
  const maxBytesPerPartition = options.maxBytesPerPartition ?? 1024 * 1024;
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxBytesPerPartition,
    maxBytes: maxBytesPerPartition * 8,
  });
  /** Per partition, the commit of its last batch. */
  const writing = new Map<string, Promise<void>>();
  /** The generation's tables, which batches wait for. */
  let migrated: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  /** Once stopping, a batch not committing yet is left to the next run (Ctrl-C stops where it is). */
  let stopping = false;

  const fail = (error: unknown): void => {
    if (failure) return;
    failure = error instanceof Error ? error : new Error(String(error));
    seek.stop();
    log.error({ err: failure }, 'rebuild stopped applying');
    options.onFailure?.(failure);
  };

  const seek = seekToCheckpointsOnJoin(consumer, {
    db,
    schema,
    readers: readersOf(projection.name, topics),
    log,
  });
  // A crash ends this projector; the rebuild starts a new one, which resumes from the checkpoints.
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));

  /** Commits a partition's batch once the one before it has. */
  const commitInTurn = (batch: EventBatch<Event>): void => {
    const key = `${batch.topic}/${batch.partition}`;
    const before = writing.get(key) ?? Promise.resolve();
    const { topic, partition, nextOffset } = batch;
    const commit = before
      .then(async () => {
        if (failure || stopping) return;
        await commitBatch(db, schema, projection, batch, { publishes: false });
        options.onCommitted?.({ topic, partition, nextOffset: BigInt(nextOffset) });
      })
      .then(() => undefined, fail);
    writing.set(key, commit);
  };
  onSkippedBatch(consumer, ({ topic, partition, nextOffset }) => {
    if (!failure && !stopping) commitInTurn({ topic, partition, events: [], nextOffset });
  });

  return {
    async start() {
      stopping = false;
      // What `seek.prime` reads.
      await ensureCheckpointTable(db, schema);
      // The tables are created while the consumer joins and sends its first fetch (about 35 ms
      // each, of a 100,000-event rebuild's first 110); batches wait for them before decoding,
      // which would hold up the migration's round trips (measured: 35 ms alone, 185 beside it).
      migrated = migrateProjection(db, schema, projection);
      migrated.catch(() => undefined);
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await seek.prime();
      await consumer.run({
        // Where it is lives in PostgreSQL: Kafka's offsets are never read.
        autoCommit: false,
        // Every partition at once (kafkajs caps it at the partitions assigned): one session each.
        partitionsConsumedConcurrently: 64,
        eachBatch: async ({ batch }) => {
          await migrated;
          if (failure || stopping) return;
          const decoded = await decodeBatch(batch, serde, handles);
          if (!decoded) return;
          // The fetch of the next batch waits for this commit's turn, not for the commit.
          await writing.get(`${batch.topic}/${batch.partition}`);
          if (failure || stopping) return;
          commitInTurn(decoded);
        },
      });
      try {
        await migrated;
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        throw error;
      }
      log.info({ topics, schema }, 'rebuild projector started');
    },
    async stop() {
      seek.stop();
      stopping = true;
      await consumer.disconnect();
      await Promise.all(writing.values());
    },
    isReady: () => !failure && seek.isReady(),
  };
}
