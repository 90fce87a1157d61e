import { KafkaConsumer, type LibrdKafkaError, type Message } from '@confluentinc/kafka-javascript';
import type { KafkaMessage } from 'kafkajs';
import { assignedReaderSettings, recordHeaders } from '@verity/events';

export interface TopicReadOptions {
  brokers: readonly string[];
  clientId: string;
  topic: string;
  /** Where each partition is read from. */
  from: ReadonlyMap<number, bigint>;
  /** Says when enough has been read; asked after each record. */
  until(messages: KafkaMessage[]): boolean;
  /** When to give up (ms since the epoch). */
  deadline: number;
}

/** Waits for the next records; only paces the loop while there is nothing to read. */
const IDLE_WAIT_MS = 100;

/**
 * The records of chosen partitions, read committed, as kafkajs hands them over (tombstones
 * included), until `until` says enough. Partitions are assigned, not a consumer group joined:
 * a join can outlast a suite's timeout on a loaded broker, and a kafkajs consumer disconnected
 * while it joins never returns (kafkajs#1639).
 */
export async function readTopicRecords(options: TopicReadOptions): Promise<KafkaMessage[]> {
  const { brokers, clientId, topic, from, until, deadline } = options;
  const consumer = new KafkaConsumer(assignedReaderSettings({ brokers, clientId }), {});
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: Math.max(1, deadline - Date.now()) }, (error) =>
      error ? reject(new Error(`${topic}: ${error.message}`)) : resolve(),
    ),
  );
  try {
    consumer.setDefaultConsumeTimeout(IDLE_WAIT_MS);
    consumer.assign([...from].map(([partition, offset]) => ({ topic, partition, offset: Number(offset) })));
    const messages: KafkaMessage[] = [];
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${topic}: condition not met in time (${messages.length} records)`);
      const read = await new Promise<Message[]>((resolve, reject) =>
        consumer.consume(1000, (error: LibrdKafkaError | null, batch) =>
          error ? reject(new Error(`${topic}: ${error.message}`)) : resolve(batch),
        ),
      );
      for (const message of read) {
        messages.push(asKafkaMessage(message));
        if (until(messages)) return messages;
      }
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

const asBuffer = (value: Buffer | string | null | undefined): Buffer | null =>
  value === null || value === undefined ? null : Buffer.from(value);

function asKafkaMessage(message: Message): KafkaMessage {
  return {
    key: asBuffer(message.key),
    value: asBuffer(message.value),
    headers: recordHeaders(message),
    timestamp: String(message.timestamp ?? 0),
    offset: String(message.offset),
    attributes: 0,
  };
}
