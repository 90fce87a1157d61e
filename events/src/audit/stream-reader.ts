import type { Admin, Kafka } from 'kafkajs';
import type { AvroSerde } from '../avro-serde';
import { InvalidOptionError, UndecodableRecordError, VerityError, fromHeaders } from '@verity/core';
import { readTopicToEnd } from '../topic-reader';
import { fetchTopicOffsets } from '../topic-offsets';
import type { ChainLink } from './chain-verification';
import { streamPartition } from './stream-partition';

/** One event of a stream as read from its topic. */
export interface StreamEvent extends ChainLink {
  offset: string;
  partition: number;
  /** The decoded payload, resolved to the newest schema version; only when a serde was given. */
  payload?: Record<string, unknown>;
}

export interface ReadProgress {
  partition: number;
  /** Records of the partition read so far, of every stream. */
  scanned: number;
  /** Records of the stream among them. */
  matched: number;
  /** Next offset to read, and the end the read stops at. */
  position: string;
  end: string;
}

export interface ReadStreamOptions {
  kafka: Kafka;
  /** The context's events topic, e.g. `verity.inventory.events`. */
  topic: string;
  /** `<tenant>/<aggregate id>`: the records' key. */
  streamId: string;
  /** Decodes each payload when given; without it only headers and raw values are returned. */
  serde?: AvroSerde;
  /** Called every `progressEvery` records scanned (default 10 000). */
  onProgress?: (progress: ReadProgress) => void;
  progressEvery?: number;
  /** Fails when the read makes no progress for this long (default 30 000 ms). */
  stallTimeoutMs?: number;
}

export class UnknownTopicError extends VerityError {
  constructor(topic: string) {
    super('unknown_topic', `topic ${topic} does not exist`, { context: { topic } });
  }
}

/**
 * Every event of one stream, in log order: its partition (where the producer's partitioner put
 * the key) from the start to the end it had when the read began, read_committed so aborted
 * batches are skipped. The consumer group is random and deleted afterwards: an audit leaves
 * nothing behind on the cluster.
 */
export async function readStream(options: ReadStreamOptions): Promise<StreamEvent[]> {
  const progressEvery = options.progressEvery ?? 10_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  if (!Number.isInteger(progressEvery) || progressEvery < 1)
    throw new InvalidOptionError('progressEvery', 'must be a positive integer');
  if (!(stallTimeoutMs > 0)) throw new InvalidOptionError('stallTimeoutMs', 'must be positive');
  if (!options.streamId) throw new InvalidOptionError('streamId', 'must not be empty');

  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const { partition, start, end } = await locateStream(admin, options.topic, options.streamId);
    if (start >= end) return [];
    return await readStreamEvents({ ...options, admin, progressEvery, stallTimeoutMs, partition, end });
  } finally {
    await admin.disconnect();
  }
}

async function locateStream(
  admin: Admin,
  topic: string,
  streamId: string,
): Promise<{ partition: number; start: bigint; end: bigint }> {
  // Checked first: asking for a missing topic's metadata retries for a long time before failing.
  if (!(await admin.listTopics()).includes(topic)) throw new UnknownTopicError(topic);
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partition = streamPartition(streamId, topics[0]!.partitions.length);
  // The admin client lists offsets read_committed: `high` is the last stable offset, so an
  // open transaction's records lie past the end and the read never waits on them.
  const offsets = (await fetchTopicOffsets(admin, topic)).find((o) => o.partition === partition)!;
  return { partition, start: BigInt(offsets.low), end: BigInt(offsets.high) };
}

async function readStreamEvents(
  options: ReadStreamOptions & {
    admin: Admin;
    progressEvery: number;
    stallTimeoutMs: number;
    partition: number;
    end: bigint;
  },
): Promise<StreamEvent[]> {
  const { kafka, admin, topic, streamId, serde, onProgress, progressEvery, stallTimeoutMs, partition, end } = options;
  const key = Buffer.from(streamId, 'utf8');
  const events: StreamEvent[] = [];
  let scanned = 0;
  await readTopicToEnd({
    kafka,
    admin,
    topic,
    ends: new Map([[partition, end]]),
    purpose: 'audit',
    stallTimeoutMs,
    onRecord: async (message) => {
      scanned++;
      if (message.key?.equals(key)) {
        const where = { topic, partition, offset: message.offset };
        if (!message.value) throw new UndecodableRecordError('event record without a value', where);
        const event: StreamEvent = {
          offset: message.offset,
          partition,
          metadata: fromHeaders(message.headers, where),
          value: message.value,
        };
        if (serde) event.payload = (await serde.decode(message.value, where)).value;
        events.push(event);
      }
      if (onProgress && scanned % progressEvery === 0)
        onProgress({ partition, scanned, matched: events.length, position: message.offset, end: end.toString() });
    },
  });
  return events;
}
