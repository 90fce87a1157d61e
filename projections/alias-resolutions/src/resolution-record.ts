import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { UndecodableRecordError } from '@verity/core';
import { frame, subjectOf, type RawRecordSchema } from '@verity/events';

/**
 * Answers of `GET /api/aliases/resolve`: who asked for which alias, what they got, when, where.
 * One record stands for `count` identical answers (same tenant, credential, alias, outcome and
 * token use) of one query-api instance within its flush window, from `at` to `lastAt`: a client
 * resolving an alias a thousand times a second is a record per window, not a thousand.
 */
export interface AliasResolution {
  /** Unique per resolution (a UUIDv7, so ordered by time): a record delivered twice is kept once. */
  id: string;
  tenant: string;
  /** The credential's subject: JWT `sub` or API key id. */
  actor: string;
  /** `jwt` or `api-key`. */
  credentialKind: string;
  context: string;
  alias: string;
  /** What it resolved to; null when the answer was 404 (no active alias). */
  canonical: string | null;
  /** ISO 8601, when the query-api answered. */
  at: string;
  /** The query-api instance that answered (`<host>/<pid>/<start id>`). */
  instance: string;
  /** Whether the request sent `X-Consistency-Token` (its answer then came from PostgreSQL). */
  consistencyToken: boolean;
  /** Identical answers this record stands for; 1 in records written before counts existed. */
  count: number;
  /** ISO 8601, when the last of them was answered; null when it is `at` (one answer). */
  lastAt: string | null;
}

/**
 * The record's Avro schema. Kept here, not in `schemas/`: that folder is the catalogue of the
 * contexts' events, and a resolution is not an event of any stream (no version, no hash chain).
 * A change is a new version compatible with this one (the registry enforces BACKWARD_TRANSITIVE).
 */
export const ALIAS_RESOLUTION_SCHEMA: RawRecordSchema = {
  type: 'record',
  name: 'AliasResolution',
  namespace: 'verity.aliases',
  doc: 'Identical answers of GET /api/aliases/resolve within a flush window: who resolved which alias, what they got, when, from which query-api, how often',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'tenant', type: 'string' },
    { name: 'actor', type: 'string' },
    { name: 'credentialKind', type: 'string' },
    { name: 'context', type: 'string' },
    { name: 'alias', type: 'string' },
    { name: 'canonical', type: ['null', 'string'], default: null },
    { name: 'at', type: 'string' },
    { name: 'instance', type: 'string' },
    { name: 'consistencyToken', type: 'boolean' },
    { name: 'count', type: 'int', default: 1 },
    { name: 'lastAt', type: ['null', 'string'], default: null },
  ],
};

export const ALIAS_RESOLUTION_FULL_NAME = 'verity.aliases.AliasResolution';

const type = avro.Type.forSchema(ALIAS_RESOLUTION_SCHEMA as avro.Schema);

/** Encodes and decodes resolution records in Confluent's wire format, the schema registered under `<topic>-<full name>`. */
export interface AliasResolutionCodec {
  /** Registers the schema (idempotent); `encode` needs it done once. */
  register(): Promise<void>;
  encode(record: AliasResolution): Buffer;
  decode(value: Buffer | null): Promise<AliasResolution>;
}

export function aliasResolutionCodec(registry: SchemaRegistry, topic: string): AliasResolutionCodec {
  let schemaId: number | undefined;
  return {
    async register() {
      if (schemaId !== undefined) return;
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(ALIAS_RESOLUTION_SCHEMA) },
        {
          subject: subjectOf(topic, ALIAS_RESOLUTION_FULL_NAME),
          compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE,
        },
      );
      schemaId = id;
    },
    encode(record) {
      if (schemaId === undefined) throw new Error(`${ALIAS_RESOLUTION_FULL_NAME} is not registered for ${topic}`);
      return frame(schemaId, type.toBuffer(record));
    },
    async decode(value) {
      if (!value) throw new UndecodableRecordError('a resolution record without a value', { topic });
      // Read into this version's shape whatever version wrote it.
      return (await registry.decode(value, {
        [SchemaType.AVRO]: { readerSchema: ALIAS_RESOLUTION_SCHEMA },
      })) as AliasResolution;
    },
  };
}
