import type { Kafka, Producer } from 'kafkajs';

/**
 * One transactional producer per input partition, transactional id `<groupId>.p<partition>`:
 * kafkajs has no KIP-447 fencing, so the id of the partition is what fences a zombie that
 * still writes for it.
 */
export interface TransactionalProducers {
  /** The partition's producer; a new one is connected and fences the partition's previous writer first. */
  get(partition: number): Promise<Producer>;
  /** Disconnects the partition's producer; the next `get` makes a new one. */
  discard(partition: number): Promise<void>;
  discardAll(): Promise<void>;
}

export function createTransactionalProducers(options: { kafka: Kafka; groupId: string }): TransactionalProducers {
  const { kafka, groupId } = options;
  const producers = new Map<number, Producer>();

  async function discard(partition: number): Promise<void> {
    const producer = producers.get(partition);
    producers.delete(partition);
    await producer?.disconnect().catch(() => undefined);
  }

  return {
    async get(partition) {
      let producer = producers.get(partition);
      if (!producer) {
        producer = kafka.producer({
          transactionalId: `${groupId}.p${partition}`,
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          // A transaction left open by a crash blocks read_committed readers until it times out.
          transactionTimeout: 30_000,
          // The broker answers CONCURRENT_TRANSACTIONS while it still writes the previous commit's
          // markers (kafkajs#1315); kafkajs' default first backoff of 300 ms would idle every
          // back-to-back transaction. The Java client retries this after 20 ms.
          retry: { initialRetryTime: 20, maxRetryTime: 1_000, retries: Number.MAX_SAFE_INTEGER },
        });
        await producer.connect();
        // kafkajs sends InitProducerId with the transactional id only when a transaction begins, not
        // on connect. Begin and drop an empty one now: that fences a zombie still holding this
        // partition and aborts its open transaction, before the caller waits for the state partition's end.
        await (await producer.transaction()).abort();
        producers.set(partition, producer);
      }
      return producer;
    },
    discard,
    async discardAll() {
      await Promise.all([...producers.keys()].map(discard));
    },
  };
}
