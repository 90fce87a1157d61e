import { toHeaders } from '@verity/core';
import type { Logger } from '../logger';
import { retry } from '../retry';
import { settleBatch, type DecidedBatch, type SettledBatch } from './decide-batch';
import type { TransactionalProducers } from './transactional-producers';

export interface BatchTransactionsOptions {
  producers: TransactionalProducers;
  /** The context's events, state and dead-letter topics, and the replies topic. */
  topics: { events: string; state: string; deadLetters: string; replies: string };
  /** Consumer group whose offsets are committed with each batch. */
  groupId: string;
  /** Where an aborted batch is logged. */
  logger: Logger;
}

/** Where a batch was consumed, and the offset of its last record. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  lastOffset: string;
}

export interface BatchTransactions {
  /**
   * Writes a decided batch in ONE transaction of its partition's producer: the events first
   * (the replies carry their offsets), then the new snapshots, the replies and the dead
   * letters, then the consumed offsets. Returns the replies and snapshots committed. Any
   * failure aborts all of it, discards the producer and rethrows: nothing of the batch is
   * visible and its records are consumed again.
   */
  commit(consumed: ConsumedBatch, decided: DecidedBatch): Promise<SettledBatch>;
}

export function createBatchTransactions(options: BatchTransactionsOptions): BatchTransactions {
  const { producers, topics, groupId, logger } = options;
  return {
    async commit({ topic, partition, lastOffset }, decided) {
      const producer = await producers.get(partition);
      const transaction = await producer.transaction();
      try {
        let firstOffset = 0n;
        if (decided.events.length > 0) {
          const [metadata] = await transaction.send({
            topic: topics.events,
            acks: -1,
            messages: decided.events.map(({ metadata, value }) => ({
              key: metadata.subject,
              value,
              partition,
              headers: toHeaders(metadata),
            })),
          });
          firstOffset = BigInt(metadata?.baseOffset ?? '0');
        }
        const settled = settleBatch(decided, { topic: topics.events, partition, firstOffset });
        const messagesByTopic = [
          {
            topic: topics.state,
            messages: settled.snapshots.map((s) => ({ key: s.streamId, value: JSON.stringify(s), partition })),
          },
          {
            topic: topics.replies,
            messages: settled.replies.map((reply) => ({ key: reply.commandId, value: JSON.stringify(reply) })),
          },
          { topic: topics.deadLetters, messages: decided.deadLetters.map((d) => d.message) },
        ].filter((t) => t.messages.length > 0);
        if (messagesByTopic.length > 0) await transaction.sendBatch({ acks: -1, topicMessages: messagesByTopic });
        // kafkajs does not retry sendOffsets on CONCURRENT_TRANSACTIONS (kafkajs#430): we do.
        await retry(
          () =>
            transaction.sendOffsets({
              consumerGroupId: groupId,
              topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
            }),
          { attempts: 8 },
        );
        await transaction.commit();
        return settled;
      } catch (error) {
        logger.error({ err: error, partition }, 'batch aborted; it will be redone');
        await transaction.abort().catch(() => undefined);
        // A producer whose transaction failed may carry stale state (Jepsen 2024): start afresh.
        await producers.discard(partition);
        throw error;
      }
    },
  };
}
