import { UndecodableRecordError } from './errors';

/** Everything about an event except its payload; carried in Kafka headers. */
export interface EventMetadata {
  /** Unique and deterministic: `<commandId>:<index>`, so a redone batch yields the same ids. */
  id: string;
  /** `verity.<ctx>.<Name>`: the Avro record full name. */
  type: string;
  /** `/verity/<ctx>`: the part of Verity that appended it. */
  source: string;
  /** When Verity accepted the command (ISO 8601). */
  time: string;
  /** Stream id, `<tenant>/<aggregate id>`. */
  subject: string;
  streamVersion: number;
  schemaVersion: number;
  tenant: string;
  /** Who sent the command: the credential's subject (JWT `sub` or API key id). */
  actor: string;
  /**
   * The person the actor acted for (`X-Actor` of a credential holding `act-as`). Absent on most
   * events; when absent it is neither a header nor part of the hash, so older events verify as before.
   */
  onBehalfOf?: string;
  correlationId: string;
  /** The command that caused it. */
  causationId: string;
  sourceSystem: string;
  sourceTimestamp: string;
}

export interface ChainedEventMetadata extends EventMetadata {
  /** Hash of the previous event of the stream; empty for version 1. */
  prevHash: string;
  hash: string;
}

/**
 * Record headers as Kafka clients carry them (kafkajs' RecordHeaders has this shape), declared here so
 * the core needs no Kafka client.
 */
export type RecordHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export const AVRO_CONTENT_TYPE = 'application/avro';

/** Attributes an event may lack: written, read and hashed only when present. */
type OptionalAttribute = 'onBehalfOf';
type RequiredAttribute = Exclude<keyof ChainedEventMetadata, OptionalAttribute>;

/**
 * CloudEvents Kafka protocol binding, binary mode: `ce_` + attribute name. Extension names are
 * lowercase letters and digits only (CloudEvents spec), hence `ce_prevhash`, not `prev_hash`.
 */
const attributeHeaders = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  streamVersion: 'ce_streamversion',
  schemaVersion: 'ce_schemaversion',
  tenant: 'ce_tenant',
  actor: 'ce_actor',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  sourceSystem: 'ce_sourcesystem',
  sourceTimestamp: 'ce_sourcetime',
  prevHash: 'ce_prevhash',
  hash: 'ce_hash',
} as const satisfies Record<RequiredAttribute, string>;

const optionalAttributeHeaders = {
  onBehalfOf: 'ce_onbehalfof',
} as const satisfies Record<OptionalAttribute, string>;

/** A header `toHeaders` writes: the CloudEvents attributes and extensions, and the content type. */
export type EventHeaderName =
  | 'ce_specversion'
  | 'content-type'
  | (typeof attributeHeaders)[RequiredAttribute]
  | (typeof optionalAttributeHeaders)[OptionalAttribute];

/** What documents the headers (the AsyncAPI contract) reads, so it names exactly the ones written. */
export const EVENT_HEADERS: { required: readonly EventHeaderName[]; optional: readonly EventHeaderName[] } = {
  required: ['ce_specversion', 'content-type', ...Object.values(attributeHeaders)],
  optional: Object.values(optionalAttributeHeaders),
};

const numericAttributes = new Set<keyof ChainedEventMetadata>(['streamVersion', 'schemaVersion']);

export function toHeaders(metadata: ChainedEventMetadata): RecordHeaders {
  const headers: RecordHeaders = { ce_specversion: '1.0', 'content-type': AVRO_CONTENT_TYPE };
  for (const [attribute, header] of Object.entries(attributeHeaders) as [RequiredAttribute, string][]) {
    headers[header] = String(metadata[attribute]);
  }
  for (const [attribute, header] of Object.entries(optionalAttributeHeaders) as [OptionalAttribute, string][]) {
    const value = metadata[attribute];
    if (value !== undefined) headers[header] = value;
  }
  return headers;
}

/** Built once: `fromHeaders` runs for every record every consumer reads. */
const requiredHeaders = Object.entries(attributeHeaders) as [RequiredAttribute, string][];
const optionalHeaders = Object.entries(optionalAttributeHeaders) as [OptionalAttribute, string][];

/** A header's (first) value as text. `toString()` without arguments is Buffer's fast path, UTF-8. */
function headerText(headers: RecordHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

export function fromHeaders(
  headers: RecordHeaders | undefined,
  where: Record<string, unknown> = {},
): ChainedEventMetadata {
  if (headers === undefined || headerText(headers, 'ce_specversion') !== '1.0') {
    throw new UndecodableRecordError('not a CloudEvents 1.0 record: ce_specversion missing or wrong', where);
  }
  const metadata: Record<string, string | number> = {};
  for (const [attribute, header] of requiredHeaders) {
    const value = headerText(headers, header);
    if (value === undefined) throw new UndecodableRecordError(`header ${header} missing`, where);
    metadata[attribute] = numericAttributes.has(attribute) ? Number(value) : value;
  }
  for (const [attribute, header] of optionalHeaders) {
    const value = headerText(headers, header);
    if (value !== undefined) metadata[attribute] = value;
  }
  return metadata as unknown as ChainedEventMetadata;
}
