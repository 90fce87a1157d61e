import type { Message } from 'kafkajs';
import type { RebuiltSnapshot } from './state-rebuild-fold';
import { snapshotRecord } from './stream-snapshot';

/** Below the broker's default `message.max.bytes` (1 MiB), which bounds one partition's record batch. */
export const DEFAULT_TRANSACTION_BYTES = 512 * 1024;

/**
 * The snapshots as state-topic records (JSON, keyed by stream id, as the processor writes
 * them), grouped so that each group's values stay within `maxBytes`; one group per
 * transaction. A snapshot larger than `maxBytes` gets a group of its own.
 */
export function snapshotBatches(
  snapshots: readonly RebuiltSnapshot[],
  maxBytes: number = DEFAULT_TRANSACTION_BYTES,
): Message[][] {
  const batches: Message[][] = [];
  let batch: Message[] = [];
  let bytes = 0;
  for (const { partition, snapshot } of snapshots) {
    const record = snapshotRecord(snapshot, partition);
    const size = Buffer.byteLength(record.value);
    if (batch.length > 0 && bytes + size > maxBytes) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
