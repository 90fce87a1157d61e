import avro from 'avsc';
import type { RawRecordSchema, SchemaVersion } from '../schema-catalog';

/** A catalogue entry built from a schema in a test, as if read from `schemas/<ctx>/<Name>.v<N>.avsc`. */
export function schemaVersion(version: number, raw: RawRecordSchema): SchemaVersion {
  const context = raw.namespace.replace(/^verity\./, '');
  return {
    context,
    name: raw.name,
    version,
    fullName: `${raw.namespace}.${raw.name}`,
    raw,
    type: avro.Type.forSchema(raw as avro.Schema),
    file: `(in memory)/${context}/${raw.name}.v${version}.avsc`,
  };
}

/** A record schema in namespace `verity.<context>` with the given fields. */
export const record = (name: string, fields: unknown[], context = 'test'): RawRecordSchema => ({
  type: 'record',
  name,
  namespace: `verity.${context}`,
  fields,
});
