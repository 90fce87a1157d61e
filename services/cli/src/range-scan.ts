import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { progressLine } from '@verity/connector-import';
import { readTopicToEnd, type PartitionRange } from '@verity/events';

export interface RangeScanOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  ranges: ReadonlyMap<number, PartitionRange>;
  /**
   * Read each partition from its beginning rather than the range's start: the records before
   * the range are handed over too, marked out of range (a hash chain is verified from its start).
   */
  fromPartitionStart?: boolean;
  /** What the read is for; names its throwaway consumer group. */
  purpose: string;
  onRecord: (message: KafkaMessage, partition: number, inRange: boolean) => Promise<void>;
  /** Where a progress line goes, every `everyMs` (default 1 000) and at the end. */
  progress?: { write(text: string): unknown; everyMs?: number };
  /** Fails when the read makes no progress for this long (default 30 000 ms). */
  stallTimeoutMs?: number;
}

/** Reads the ranges of a topic read_committed, in order per partition, with progress in offsets. */
export async function scanRange(options: RangeScanOptions): Promise<void> {
  const { kafka, admin, topic, ranges, fromPartitionStart = false, purpose, onRecord, progress } = options;
  const readStart = (partition: number): bigint => (fromPartitionStart ? 0n : ranges.get(partition)!.start);
  const rangeStart = new Map([...ranges].map(([partition, range]) => [partition, range.start]));
  const positions = new Map([...ranges.keys()].map((partition) => [partition, readStart(partition)]));
  const startedAt = Date.now();
  let total = 0n;
  for (const [partition, { end }] of ranges) total += end - readStart(partition);
  const done = (): bigint => {
    let sum = 0n;
    for (const [partition, position] of positions) sum += position - readStart(partition);
    return sum;
  };
  const report = (): void => {
    progress?.write(
      `${topic}: ${progressLine({ done: Number(done()), total: Number(total), skipped: 0, elapsedMs: Date.now() - startedAt }, 'offsets')}\n`,
    );
  };
  const timer = progress ? setInterval(report, progress.everyMs ?? 1_000) : undefined;
  try {
    await readTopicToEnd({
      kafka,
      admin,
      topic,
      ends: new Map([...ranges].map(([partition, range]) => [partition, range.end])),
      ...(fromPartitionStart ? {} : { starts: rangeStart }),
      purpose,
      stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
      onRecord: (message, partition) =>
        onRecord(message, partition, BigInt(message.offset) >= rangeStart.get(partition)!),
      onPosition: (partition, position) => {
        const end = ranges.get(partition)?.end;
        if (end !== undefined) positions.set(partition, position > end ? end : position);
      },
    });
  } finally {
    clearInterval(timer);
  }
  report();
}
