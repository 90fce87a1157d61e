import type { Admin } from 'kafkajs';
import { fetchTopicOffsets } from '@verity/events';
import type { PartitionCheckpoint } from './projection-generations';

/** Per partition (`<topic>/<partition>`), the offset past its last record (its high watermark). */
export type PartitionEnds = ReadonlyMap<string, bigint>;

/** The key of a partition in `PartitionEnds`. */
export const keyOf = (c: { topic: string; partition: number }): string => `${c.topic}/${c.partition}`;

/** The ends of every partition of `topics`, as they are now. */
export async function fetchPartitionEnds(admin: Admin, topics: readonly string[]): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  for (const topic of topics)
    for (const { partition, high } of await fetchTopicOffsets(admin, topic))
      ends.set(keyOf({ topic, partition }), BigInt(high));
  return ends;
}

/** The topic and partition a key of `PartitionEnds` names. */
export function partitionOfKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('/');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** Offsets applied, summed over the partitions: a checkpoint counts up to its partition's end. */
export function appliedOffsets(checkpoints: readonly PartitionCheckpoint[], ends: PartitionEnds): bigint {
  let sum = 0n;
  for (const c of checkpoints) {
    const end = ends.get(keyOf(c)) ?? c.nextOffset;
    sum += c.nextOffset < end ? c.nextOffset : end;
  }
  return sum;
}

/** Offsets up to the ends of the topics, summed over the partitions. */
export const totalOffsets = (ends: PartitionEnds): bigint => [...ends.values()].reduce((a, b) => a + b, 0n);

/**
 * Records still to apply, summed over the partitions. A partition whose checkpoint is short of
 * its end counts one offset less: the marker of its last transaction takes an offset no batch
 * reaches. A partition with nothing left counts nothing, so an empty one cannot hide another's
 * records (with one less a partition over the whole log, a log of one event was "caught up"
 * before anything was applied).
 */
export function lagOf(checkpoints: readonly PartitionCheckpoint[], ends: PartitionEnds): bigint {
  const at = new Map(checkpoints.map((c) => [keyOf(c), c.nextOffset]));
  let lag = 0n;
  for (const [key, end] of ends) {
    const behind = end - (at.get(key) ?? 0n);
    if (behind > 1n) lag += behind - 1n;
  }
  return lag;
}
