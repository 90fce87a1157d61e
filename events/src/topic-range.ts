import type { Admin } from 'kafkajs';
import { fetchTopicOffsets, type TopicPartitionOffsets } from './topic-offsets';

/** A position in a topic: an offset (the same in every partition), an instant, or either end. */
export type TopicPosition =
  { kind: 'offset'; offset: bigint } | { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

/** Offsets of one partition to read: from `start` (inclusive) to `end` (exclusive). */
export interface PartitionRange {
  start: bigint;
  end: bigint;
  /**
   * The range starts where the partition does (its low watermark): nothing of it lies before
   * the range, so a stream's first record read here is the stream's first record.
   */
  fromLogStart: boolean;
}

/** What a range is planned from: the broker's answers, behind an interface so the plan can be tested alone. */
export interface TopicOffsetsLookup {
  /** Each partition's low and high watermark (read_committed: the high one is the last stable offset). */
  watermarks(): Promise<TopicPartitionOffsets[]>;
  /** Per partition, the first offset whose record timestamp is at or after `ms` (ListOffsets by time). */
  offsetsForTime(ms: number): Promise<Map<number, bigint>>;
}

/**
 * Each partition's offsets between two positions, within what the partition holds now: from
 * its low watermark to its last stable offset, so a read of the range is of one moment and
 * never waits on an open transaction or on records appended while it runs. An instant is the
 * first offset whose record timestamp is at or after it: a read starts there rather than at
 * offset 0, so it costs the records in range, not the partition's history. `partitions`
 * limits the plan to those (a stream's). Partitions with nothing in range are left out.
 */
export async function planTopicRange(
  lookup: TopicOffsetsLookup,
  from: TopicPosition,
  to: TopicPosition,
  partitions?: readonly number[],
): Promise<Map<number, PartitionRange>> {
  const offsets = (await lookup.watermarks()).filter((o) => !partitions || partitions.includes(o.partition));
  const [starts, ends] = await Promise.all([offsetsAt(lookup, from, offsets), offsetsAt(lookup, to, offsets)]);
  const ranges = new Map<number, PartitionRange>();
  for (const { partition, low, high } of offsets) {
    const clamp = (offset: bigint | undefined, fallback: string): bigint => {
      const value = offset ?? BigInt(fallback);
      return value < BigInt(low) ? BigInt(low) : value > BigInt(high) ? BigInt(high) : value;
    };
    const start = clamp(starts?.get(partition), low);
    const end = clamp(ends?.get(partition), high);
    if (start < end) ranges.set(partition, { start, end, fromLogStart: start === BigInt(low) });
  }
  return ranges;
}

/** Per partition, the offset a position names; undefined for the ends (the caller's watermarks). */
async function offsetsAt(
  lookup: TopicOffsetsLookup,
  position: TopicPosition,
  offsets: readonly TopicPartitionOffsets[],
): Promise<Map<number, bigint> | undefined> {
  if (position.kind === 'start' || position.kind === 'end') return undefined;
  if (position.kind === 'offset') return new Map(offsets.map(({ partition }) => [partition, position.offset]));
  return lookup.offsetsForTime(position.ms);
}

/** `planTopicRange` against the cluster, through the kafkajs admin client. */
export function topicRange(
  admin: Admin,
  topic: string,
  from: TopicPosition,
  to: TopicPosition,
  partitions?: readonly number[],
): Promise<Map<number, PartitionRange>> {
  return planTopicRange(
    {
      watermarks: () => fetchTopicOffsets(admin, topic),
      offsetsForTime: async (ms) => {
        // kafkajs answers a time past the last record with the high watermark.
        const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, ms);
        return new Map(byTime.map(({ partition, offset }) => [partition, BigInt(offset)]));
      },
    },
    from,
    to,
    partitions,
  );
}
