import type { Batch } from 'kafkajs';
import { fromHeaders } from '@verity/core';
import type { AvroSerde } from '../avro-serde';
import type { EventBatch } from './batch';
import type { EventEnvelope } from './projection';

/**
 * A fetched batch of one partition as `commitBatch` takes it: the events the projection applies
 * decoded, in offset order (the others only move the checkpoint); undefined when it is empty.
 */
export async function decodeBatch<Event extends EventEnvelope>(
  batch: Batch,
  serde: AvroSerde,
  handles: (type: string) => type is Event['type'],
): Promise<EventBatch<Event> | undefined> {
  const { topic, partition, messages } = batch;
  const last = messages[messages.length - 1];
  if (!last) return undefined;
  const events: Event[] = [];
  for (const message of messages) {
    const where = { topic, partition, offset: message.offset };
    const metadata = fromHeaders(message.headers, where);
    if (!handles(metadata.type)) continue;
    const { fullName, value } = await serde.decode(message.value, where);
    if (handles(fullName))
      events.push(
        projected<Event>({ topic, partition, offset: message.offset, type: fullName, metadata, data: value }),
      );
  }
  return { topic, partition, events, nextOffset: (BigInt(last.offset) + 1n).toString() };
}

/** As in projector.ts: the registry's schema, upcast to the newest version, is what the types say. */
function projected<Event extends EventEnvelope>(event: EventEnvelope<Event['type'], Record<string, unknown>>): Event {
  return event as Event;
}
