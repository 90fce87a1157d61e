import type { Consumer } from 'kafkajs';

/** Where a fetched batch that held no record to apply ends. */
export interface SkippedBatch {
  topic: string;
  partition: number;
  /** The offset past the batch: its last record (a transaction marker, mostly) + 1. */
  nextOffset: string;
  highWatermark: string;
}

/**
 * Calls `skipped` for every fetched batch that held only records read_committed leaves out (an
 * aborted transaction's, transaction markers). kafkajs hands no such batch to eachBatch, so a
 * checkpoint moved only there stays before them: a log that ends in an aborted transaction
 * (a processor that crashed mid-batch, and nothing since) showed a lag that never went, and a
 * rebuild waiting for lag 0 waited for good.
 */
export function onSkippedBatch(consumer: Consumer, skipped: (batch: SkippedBatch) => void): void {
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize > 0) return;
    skipped({
      topic: payload.topic,
      partition: payload.partition,
      nextOffset: (BigInt(payload.lastOffset) + 1n).toString(),
      highWatermark: payload.highWatermark,
    });
  });
}
