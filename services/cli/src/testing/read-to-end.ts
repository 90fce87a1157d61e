import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { fetchTopicOffsets } from '@verity/events';

export interface PartitionRecord {
  partition: number;
  message: KafkaMessage;
}

/**
 * Every committed record of a topic up to its current end, read_committed, in partition
 * order. Transaction markers take offsets but are never delivered, so "done" is the
 * consumer's position reaching the end offset, not a count of records.
 */
export async function readToEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  groupPrefix: string,
  timeoutMs = 30_000,
): Promise<PartitionRecord[]> {
  const ends = new Map((await fetchTopicOffsets(admin, topic)).map((o) => [o.partition, BigInt(o.high)]));
  const positions = new Map<number, bigint>();
  const records: PartitionRecord[] = [];
  const done = (): boolean => [...ends].every(([partition, end]) => (positions.get(partition) ?? 0n) >= end);
  if (done()) return records;

  const groupId = `${groupPrefix}.read-to-end.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${topic}: not read to ${JSON.stringify(Object.fromEntries([...ends].map(([p, e]) => [p, String(e)])))} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      // Also fires for batches of markers only, so positions pass a trailing commit marker.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      });
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (BigInt(message.offset) < (ends.get(partition) ?? 0n)) records.push({ partition, message });
        },
      });
    });
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records;
}
