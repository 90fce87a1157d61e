import type { ChainedEventMetadata } from '@verity/core';

/**
 * An event as a CloudEvent in JSON structured mode (CloudEvents 1.0, JSON format): the
 * attributes Verity's Kafka headers carry in binary mode, the Avro payload decoded as `data`.
 * Extension names are lowercase letters and digits, as on the wire.
 */
export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: unknown;
  tenant: string;
  streamversion: number;
  correlationid: string;
  causationid: string;
  actor: string;
  sourcesystem: string;
  hash: string;
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

export function cloudEventOf(metadata: ChainedEventMetadata, data: unknown): CloudEventJson {
  return {
    specversion: '1.0',
    id: metadata.id,
    source: metadata.source,
    type: metadata.type,
    subject: metadata.subject,
    time: metadata.time,
    datacontenttype: 'application/json',
    data,
    tenant: metadata.tenant,
    streamversion: metadata.streamVersion,
    correlationid: metadata.correlationId,
    causationid: metadata.causationId,
    actor: metadata.actor,
    sourcesystem: metadata.sourceSystem,
    hash: metadata.hash,
  };
}
