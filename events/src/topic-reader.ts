import { randomUUID } from 'node:crypto';
import { AssignerProtocol, type Admin, type Kafka, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import { VerityError } from '@verity/core';

export interface TopicReadOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  /** Partitions to read, each with the offset the read stops at (exclusive); only partitions holding records. */
  ends: ReadonlyMap<number, bigint>;
  /** Where each partition's read starts (inclusive); default its beginning. */
  starts?: ReadonlyMap<number, bigint>;
  /** Every record below its partition's end, in order per partition; a throw stops the read. */
  onRecord: (message: KafkaMessage, partition: number) => Promise<void>;
  /** After each batch: the next offset to read in that partition. */
  onPosition?: (partition: number, position: bigint) => void;
  /** Fails when no batch arrives for this long. */
  stallTimeoutMs: number;
  /** What the read is for (`audit`, `state-rebuild`): its throwaway group is `<topic>.<purpose>.<uuid>`. */
  purpose: string;
}

/** What a read cost: per partition, the records the consumer handed over, in range or not. */
export type RecordsRead = Map<number, number>;

/**
 * The throwaway group's only member gets the partitions to read and no other: the topic's
 * other partitions are never fetched (pausing them after the join would let a first fetch of
 * each through).
 */
function onlyPartitions(topic: string, partitions: readonly number[]): PartitionAssigner {
  return () => ({
    name: 'VerityRangeAssigner',
    version: 0,
    assign: ({ members }) =>
      Promise.resolve(
        members.map(({ memberId }, index) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: index === 0 ? { [topic]: [...partitions] } : {},
            userData: Buffer.alloc(0),
          }),
        })),
      ),
    protocol: ({ topics }) => ({
      name: 'VerityRangeAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    }),
  });
}

/**
 * Reads the partitions named in `ends` from their start (or `starts`) to those ends, read_committed so
 * aborted transactions are skipped; the topic's other partitions are not read. The consumer
 * group is throwaway and deleted afterwards: a read leaves nothing behind on the cluster.
 */
export async function readTopicToEnd(options: TopicReadOptions): Promise<RecordsRead> {
  const { kafka, admin, topic, ends, starts, onRecord, onPosition, stallTimeoutMs, purpose } = options;
  const pending = new Set(ends.keys());
  const read: RecordsRead = new Map([...ends.keys()].map((partition) => [partition, 0]));
  if (pending.size === 0) return read;

  let finished = false;
  let stallTimer: NodeJS.Timeout | undefined;
  let finish!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => {
      if (finished) return;
      finished = true;
      clearTimeout(stallTimer);
      if (error === undefined) resolve();
      // The cause is passed on unchanged, whatever was thrown.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      else reject(error);
    };
  });
  // It may fail before it is awaited (a crash while joining); the await below still sees it.
  done.catch(() => undefined);
  const armStallTimer = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(
      () =>
        finish(
          new VerityError(
            'read_stalled',
            `${topic}: no progress for ${stallTimeoutMs} ms, partitions ${[...pending].join(', ')} not read to their end`,
            { retriable: true, context: { topic } },
          ),
        ),
      stallTimeoutMs,
    );
  };

  // Named after the topic so an operator sees what a running read is for (and prefix ACLs apply).
  const groupId = `${topic}.${purpose}.${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    partitionAssigners: [onlyPartitions(topic, [...ends.keys()])],
  });
  // Read_committed batches may end in transaction markers no message shows: the position after
  // each batch is what reaches the end.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const position = BigInt(payload.lastOffset) + 1n;
    onPosition?.(payload.partition, position);
    armStallTimer();
    if (position >= (ends.get(payload.partition) ?? 0n)) pending.delete(payload.partition);
    if (pending.size === 0) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => finish(payload.error));

  try {
    armStallTimer();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (finished || !ends.has(batch.partition)) return;
        const end = ends.get(batch.partition) ?? 0n;
        const start = starts?.get(batch.partition) ?? 0n;
        read.set(batch.partition, (read.get(batch.partition) ?? 0) + batch.messages.length);
        try {
          for (const message of batch.messages) {
            // A batch fetched before the seek below took effect.
            if (BigInt(message.offset) < start) continue;
            // Records appended after the read began are left out: the read is of one moment.
            if (BigInt(message.offset) >= end) break;
            await onRecord(message, batch.partition);
          }
        } catch (error) {
          // Not thrown to kafkajs: it would redo the batch and hand its records over twice.
          finish(error);
        }
      },
    });
    for (const [partition, offset] of starts ?? []) consumer.seek({ topic, partition, offset: offset.toString() });
    await done;
    return read;
  } finally {
    clearTimeout(stallTimer);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
