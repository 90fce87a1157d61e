import type { Admin, Kafka, Message } from 'kafkajs';
import { streamPartition } from '../audit/stream-partition';
import { UnknownTopicError } from '../audit/stream-reader';
import type { AvroSerde } from '../avro-serde';
import type { ContextDefinition } from '@verity/core';
import { InvalidOptionError, UndecodableRecordError, VerityError, fromHeaders } from '@verity/core';
import type { Logger } from '../logger';
import { contextTopicConfigs, ensureTopics, type ContextTopics } from '../topics';
import { DEFAULT_TRANSACTION_BYTES, snapshotBatches } from './state-rebuild-batches';
import { StreamFolds } from './state-rebuild-fold';
import { readTopicToEnd } from '../topic-reader';
import { fetchTopicOffsets } from '../topic-offsets';
import { parseSnapshot, type StreamSnapshot } from './stream-snapshot';

export interface StateRebuildProgress {
  partition: number;
  /** Next offset to read in the partition, and the end the read stops at. */
  offset: string;
  end: string;
  /** Streams folded so far, over every partition. */
  streams: number;
}

export interface StateRebuildSummary {
  /** Snapshots written: one per stream. */
  streams: number;
  /** Events folded. */
  events: number;
  /** Partitions of the events topic. */
  partitions: number;
}

export interface StateRebuildOptions {
  kafka: Kafka;
  /** Decodes every event into its newest shape: give it the catalogue and upcasters the processors use. */
  serde: AvroSerde;
  context: ContextDefinition;
  topics: ContextTopics;
  /** Consumer group of the context's processors: the rebuild refuses to run while it has members. */
  groupId: string;
  logger: Logger;
  /** Called after each batch read from the events topic. */
  onProgress?: (progress: StateRebuildProgress) => void;
  /** Most bytes of snapshots per transaction. Default 512 KiB. */
  transactionBytes?: number;
  /** Fails when reading makes no progress for this long. Default 30 000 ms. */
  stallTimeoutMs?: number;
  /** Replication factor of the state topic if it has to be created again. Default 1. */
  replicationFactor?: number;
}

/** A processor of the context is running: it would race the rebuild for the state topic. */
export class ProcessorsRunningError extends VerityError {
  constructor(groupId: string, members: number) {
    super(
      'processors_running',
      `${members} processor(s) of group ${groupId} are running: stop them before rebuilding state`,
      { context: { groupId, members } },
    );
  }
}

async function refuseWhileProcessorsRun(admin: Admin, groupId: string): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const members = groups[0]?.members.length ?? 0;
  if (members > 0) throw new ProcessorsRunningError(groupId, members);
}

/**
 * Rebuilds every stream's snapshot on the state topic from the context's events topic: for a
 * lost state topic, or a decider whose state shape changed. Each event is decoded (so upcasters
 * lift old versions) and folded with `decider.evolve`; each stream's new snapshot supersedes
 * its current one and keeps its recent replies. Snapshots are written in transactions of a
 * transactional id of its own, so a rebuild that dies is fenced and aborted by the next one.
 * The processors must be stopped; a crash halfway leaves some streams rebuilt, and running
 * the rebuild again completes it.
 */
export async function rebuildStates(options: StateRebuildOptions): Promise<StateRebuildSummary> {
  const { kafka, serde, context, topics, groupId, onProgress } = options;
  if (!context.name) throw new InvalidOptionError('context', 'a context definition with a name is required');
  if (!groupId) throw new InvalidOptionError('groupId', 'required');
  const transactionBytes = options.transactionBytes ?? DEFAULT_TRANSACTION_BYTES;
  if (!Number.isInteger(transactionBytes) || transactionBytes < 1)
    throw new InvalidOptionError('transactionBytes', 'must be a positive integer');
  const log = options.logger.child({ component: 'state-rebuild', context: context.name });

  const admin = kafka.admin();
  await admin.connect();
  try {
    await refuseWhileProcessorsRun(admin, groupId);
    // Checked first: asking for a missing topic's metadata retries for a long time before failing.
    if (!(await admin.listTopics()).includes(topics.events)) throw new UnknownTopicError(topics.events);
    const offsets = await fetchTopicOffsets(admin, topics.events);
    const partitions = offsets.length;
    const ends = new Map(
      offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]),
    );
    // A lost state topic is created again, partitioned as its events topic.
    await ensureTopics(
      admin,
      contextTopicConfigs(topics, partitions).filter((t) => t.topic === topics.state),
      options.replicationFactor,
    );

    log.info(
      { topic: topics.events, partitions, ends: Object.fromEntries([...ends].map(([p, e]) => [p, e.toString()])) },
      'rebuilding state from events',
    );
    const folds = new StreamFolds(context.decider);
    await readTopicToEnd({
      kafka,
      admin,
      topic: topics.events,
      ends,
      purpose: 'state-rebuild',
      stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
      onRecord: async (message, partition) => {
        const where = { topic: topics.events, partition, offset: message.offset };
        if (!message.value) throw new UndecodableRecordError('event record without a value', where);
        const metadata = fromHeaders(message.headers, where);
        const { fullName, value } = await serde.decode(message.value, where);
        folds.apply({ partition, offset: message.offset, metadata, fullName, data: value });
      },
      onPosition: (partition, position) =>
        onProgress?.({
          partition,
          offset: position.toString(),
          end: (ends.get(partition) ?? 0n).toString(),
          streams: folds.size,
        }),
    });
    const current = await readSnapshots(kafka, admin, topics.state, options.stallTimeoutMs ?? 30_000);
    const snapshots = folds.snapshots(current, (streamId) => streamPartition(streamId, partitions));

    // Again: a processor started while the events were read would have written state since.
    await refuseWhileProcessorsRun(admin, groupId);
    await writeSnapshots(kafka, topics.state, `${groupId}.state-rebuild`, snapshotBatches(snapshots, transactionBytes));
    const summary = { streams: snapshots.length, events: folds.events, partitions };
    log.info(summary, 'state rebuilt');
    return summary;
  } finally {
    await admin.disconnect();
  }
}

/** Each stream's newest snapshot on the state topic (the rebuilt ones keep its remembered commands). */
async function readSnapshots(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  stallTimeoutMs: number,
): Promise<Map<string, StreamSnapshot>> {
  const ends = new Map(
    (await fetchTopicOffsets(admin, topic))
      .filter((o) => BigInt(o.high) > BigInt(o.low))
      .map((o) => [o.partition, BigInt(o.high)]),
  );
  const current = new Map<string, StreamSnapshot>();
  await readTopicToEnd({
    kafka,
    admin,
    topic,
    ends,
    purpose: 'state-rebuild-snapshots',
    stallTimeoutMs,
    onRecord: (message) => {
      if (!message.value) return Promise.resolve();
      const snapshot = parseSnapshot(message.value);
      const held = current.get(snapshot.streamId);
      if (!held || snapshot.sequence > held.sequence) current.set(snapshot.streamId, snapshot);
      return Promise.resolve();
    },
  });
  return current;
}

async function writeSnapshots(
  kafka: Kafka,
  topic: string,
  transactionalId: string,
  batches: Message[][],
): Promise<void> {
  const producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    for (const messages of batches) {
      const transaction = await producer.transaction();
      try {
        await transaction.send({ topic, acks: -1, messages });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    }
  } finally {
    await producer.disconnect();
  }
}
