import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { AvroSerde } from '../avro-serde';
import { InvalidOptionError, UndecodableRecordError, VerityError } from '../errors';
import { fromHeaders } from '../event-metadata';
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
  if (!Number.isInteger(progressEvery) || progressEvery < 1) throw new InvalidOptionError('progressEvery', 'must be a positive integer');
  if (!(stallTimeoutMs > 0)) throw new InvalidOptionError('stallTimeoutMs', 'must be positive');
  if (!options.streamId) throw new InvalidOptionError('streamId', 'must not be empty');

  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const { partition, partitionCount, start, end } = await locateStream(admin, options.topic, options.streamId);
    if (start >= end) return [];
    // Named after the topic so an operator sees what a running audit reads (and prefix ACLs apply).
    const groupId = `${options.topic}.audit.${randomUUID()}`;
    try {
      return await consumePartition({ ...options, progressEvery, stallTimeoutMs, groupId, partition, partitionCount, end });
    } finally {
      await admin.deleteGroups([groupId]);
    }
  } finally {
    await admin.disconnect();
  }
}

async function locateStream(admin: Admin, topic: string, streamId: string): Promise<{ partition: number; partitionCount: number; start: bigint; end: bigint }> {
  // Checked first: asking for a missing topic's metadata retries for a long time before failing.
  if (!(await admin.listTopics()).includes(topic)) throw new UnknownTopicError(topic);
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitionCount = topics[0]!.partitions.length;
  const partition = streamPartition(streamId, partitionCount);
  // The admin client lists offsets read_committed: `high` is the last stable offset, so an
  // open transaction's records lie past the end and the read never waits on them.
  const offsets = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)!;
  return { partition, partitionCount, start: BigInt(offsets.low), end: BigInt(offsets.high) };
}

async function consumePartition(
  options: ReadStreamOptions & { progressEvery: number; stallTimeoutMs: number; groupId: string; partition: number; partitionCount: number; end: bigint },
): Promise<StreamEvent[]> {
  const { kafka, topic, streamId, serde, onProgress, progressEvery, stallTimeoutMs, groupId, partition, partitionCount, end } = options;
  const key = Buffer.from(streamId, 'utf8');
  const events: StreamEvent[] = [];
  let scanned = 0;
  let position = 0n;
  let finished = false;
  let stallTimer: NodeJS.Timeout | undefined;

  let finish!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => {
      if (finished) return;
      finished = true;
      clearTimeout(stallTimer);
      if (error === undefined) resolve();
      else reject(error);
    };
  });
  // It may fail before it is awaited (a crash while joining); the await below still sees it.
  done.catch(() => undefined);
  const armStallTimer = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(
      () => finish(new VerityError('read_stalled', `${topic}[${partition}]: no progress for ${stallTimeoutMs} ms at offset ${position} of ${end}`, { retriable: true, context: { topic, partition } })),
      stallTimeoutMs,
    );
  };

  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
  // Read_committed batches may end in transaction markers that no message shows: the position
  // after each batch (as the processor's state catch-up does) is what reaches the end.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.partition !== partition) return;
    position = BigInt(payload.lastOffset) + 1n;
    armStallTimer();
    if (position >= end) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => finish(payload.error));

  const toEvent = async (message: KafkaMessage): Promise<StreamEvent> => {
    const where = { topic, partition, offset: message.offset };
    if (!message.value) throw new UndecodableRecordError('event record without a value', where);
    const event: StreamEvent = { offset: message.offset, partition, metadata: fromHeaders(message.headers, where), value: message.value };
    if (serde) event.payload = (await serde.decode(message.value, where)).value;
    return event;
  };

  try {
    armStallTimer();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (finished || batch.partition !== partition) return;
        try {
          for (const message of batch.messages) {
            // Records appended after the read began are left out: the audit is of one moment.
            if (BigInt(message.offset) >= end) break;
            scanned++;
            if (message.key?.equals(key)) events.push(await toEvent(message));
            if (onProgress && scanned % progressEvery === 0) {
              onProgress({ partition, scanned, matched: events.length, position: message.offset, end: end.toString() });
            }
          }
        } catch (error) {
          // Not thrown to kafkajs: it would redo the batch and duplicate the events read so far.
          finish(error);
        }
      },
    });
    const others = Array.from({ length: partitionCount }, (_, p) => p).filter((p) => p !== partition);
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    await done;
    return events;
  } finally {
    clearTimeout(stallTimer);
    await consumer.disconnect();
  }
}
