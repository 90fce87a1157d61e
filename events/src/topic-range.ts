import type { Admin } from 'kafkajs';
import { fetchTopicOffsets } from './topic-offsets';

/** A position in a topic: an offset (the same in every partition), an instant, or either end. */
export type TopicPosition =
  { kind: 'offset'; offset: bigint } | { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

/** Offsets of one partition to read: from `start` (inclusive) to `end` (exclusive). */
export interface PartitionRange {
  start: bigint;
  end: bigint;
}

/**
 * Each partition's offsets between two positions, within what the partition holds now: from
 * its low watermark to its last stable offset (the admin client lists read_committed), so a
 * read of the range is of one moment and never waits on an open transaction. An instant is
 * the first offset whose timestamp is at or after it (ListOffsets by time). Partitions with
 * nothing in range are left out.
 */
export async function topicRange(
  admin: Admin,
  topic: string,
  from: TopicPosition,
  to: TopicPosition,
): Promise<Map<number, PartitionRange>> {
  const offsets = await fetchTopicOffsets(admin, topic);
  const partitions = offsets.map((o) => o.partition);
  const [starts, ends] = await Promise.all([
    offsetsAt(admin, topic, from, partitions),
    offsetsAt(admin, topic, to, partitions),
  ]);
  const ranges = new Map<number, PartitionRange>();
  for (const { partition, low, high } of offsets) {
    const clamp = (offset: bigint | undefined, fallback: string): bigint => {
      const value = offset ?? BigInt(fallback);
      return value < BigInt(low) ? BigInt(low) : value > BigInt(high) ? BigInt(high) : value;
    };
    const start = clamp(starts?.get(partition), low);
    const end = clamp(ends?.get(partition), high);
    if (start < end) ranges.set(partition, { start, end });
  }
  return ranges;
}

/** Per partition, the offset a position names; undefined for the ends (the caller's watermarks). */
async function offsetsAt(
  admin: Admin,
  topic: string,
  position: TopicPosition,
  partitions: readonly number[],
): Promise<Map<number, bigint> | undefined> {
  if (position.kind === 'start' || position.kind === 'end') return undefined;
  if (position.kind === 'offset') return new Map(partitions.map((partition) => [partition, position.offset]));
  // kafkajs answers a time past the last record with the high watermark.
  const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, position.ms);
  return new Map(byTime.map(({ partition, offset }) => [partition, BigInt(offset)]));
}
