import type { Batch } from 'kafkajs';
import type { AvroSerde } from '../avro-serde';
import type { EventBatch } from './batch';
import { decodeEvent } from './decode-event';
import type { EventEnvelope } from './projection';

/**
 * A fetched batch of one partition as `commitBatch` takes it: the events the projection applies
 * decoded, in offset order (the others only move the checkpoint); undefined when it is empty.
 * It ends past the last record fetched, one read_committed left out included (an aborted
 * transaction's, a marker), so the checkpoint does not stop before them.
 */
export async function decodeBatch<Event extends EventEnvelope>(
  batch: Batch,
  serde: AvroSerde,
  handles: (type: string) => type is Event['type'],
): Promise<EventBatch<Event> | undefined> {
  const { topic, partition, messages } = batch;
  if (messages.length === 0) return undefined;
  const events: Event[] = [];
  for (const message of messages) {
    const event = await decodeEvent<Event>(serde, topic, partition, message, handles);
    if (event && handles(event.type)) events.push(event);
  }
  return { topic, partition, events, nextOffset: (BigInt(batch.lastOffset()) + 1n).toString() };
}
