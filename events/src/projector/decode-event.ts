import { fromHeaders, type RecordHeaders } from '@verity/core';
import type { AvroSerde } from '../avro-serde';
import type { EventEnvelope } from './projection';

/** A record of an events topic as the Kafka client hands it. */
export interface EventRecord {
  offset: string;
  headers?: RecordHeaders;
  value: Buffer | null;
}

/**
 * The record as projections are handed it, decoded (and upcast) through the registry; undefined,
 * and not decoded, when `handled` says no projection applies its type. The type is read from the
 * headers first, so a record nobody applies costs no Avro decoding.
 */
export async function decodeEvent<Event extends EventEnvelope>(
  serde: AvroSerde,
  topic: string,
  partition: number,
  record: EventRecord,
  handled: (type: string) => boolean,
): Promise<Event | undefined> {
  const { offset } = record;
  const where = { topic, partition, offset };
  const metadata = fromHeaders(record.headers, where);
  if (!handled(metadata.type)) return undefined;
  const { fullName, value } = await serde.decode(record.value, where);
  return projected<Event>({ topic, partition, offset, type: fullName, metadata, data: value });
}

/**
 * A decoded event as the projection's payload types say it is. The registry's schema of the
 * event, upcast to its newest version, is what those types are generated from: this is the one
 * place that takes the decoded value on trust.
 */
function projected<Event extends EventEnvelope>(event: EventEnvelope<Event['type'], Record<string, unknown>>): Event {
  return event as Event;
}
