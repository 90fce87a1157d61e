import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { progressLine } from '@verity/connector-import';
import { readTopicToEnd, type PartitionRange } from '@verity/events';

export interface RangeScanOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  ranges: ReadonlyMap<number, PartitionRange>;
  /** What the read is for; names its throwaway consumer group. */
  purpose: string;
  onRecord: (message: KafkaMessage, partition: number) => Promise<void>;
  /** Where a progress line goes, every `everyMs` (default 1 000) and at the end. */
  progress?: { write(text: string): unknown; everyMs?: number };
  /** Fails when the read makes no progress for this long (default 30 000 ms). */
  stallTimeoutMs?: number;
}

/**
 * Reads the ranges of a topic read_committed, in order per partition, each from its start
 * offset: a range's cost is its own records, whatever lies before it. Progress is in offsets
 * of the range (rate and ETA of what is in range). Returns the records read, which a summary
 * shows so a range's cost can be seen.
 */
export async function scanRange(options: RangeScanOptions): Promise<number> {
  const { kafka, admin, topic, ranges, purpose, onRecord, progress } = options;
  const positions = new Map([...ranges].map(([partition, range]) => [partition, range.start]));
  const startedAt = Date.now();
  let total = 0n;
  for (const { start, end } of ranges.values()) total += end - start;
  const done = (): bigint => {
    let sum = 0n;
    for (const [partition, position] of positions) sum += position - ranges.get(partition)!.start;
    return sum;
  };
  const report = (): void => {
    progress?.write(
      `${topic}: ${progressLine({ done: Number(done()), total: Number(total), skipped: 0, elapsedMs: Date.now() - startedAt }, 'offsets')}\n`,
    );
  };
  const timer = progress ? setInterval(report, progress.everyMs ?? 1_000) : undefined;
  try {
    const read = await readTopicToEnd({
      kafka,
      admin,
      topic,
      ends: new Map([...ranges].map(([partition, range]) => [partition, range.end])),
      starts: new Map([...ranges].map(([partition, range]) => [partition, range.start])),
      purpose,
      stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
      onRecord,
      onPosition: (partition, position) => {
        const range = ranges.get(partition);
        if (range)
          positions.set(partition, position < range.start ? range.start : position > range.end ? range.end : position);
      },
    });
    report();
    return [...read.values()].reduce((sum, n) => sum + n, 0);
  } finally {
    clearInterval(timer);
  }
}
