import { UndecodableRecordError } from '@verity/core';

const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

/** Confluent's wire format: magic byte 0, the 4-byte big-endian schema id, then the Avro body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const value = Buffer.alloc(HEADER_LENGTH + body.length);
  value.writeUInt8(MAGIC_BYTE, 0);
  value.writeInt32BE(schemaId, 1);
  body.copy(value, HEADER_LENGTH);
  return value;
}

export function unframe(value: Buffer | null, where: Record<string, unknown> = {}): { schemaId: number; body: Buffer } {
  if (!value || value.length < HEADER_LENGTH || value.readUInt8(0) !== MAGIC_BYTE) {
    throw new UndecodableRecordError(
      'value is not in Confluent wire format (magic byte 0, schema id, Avro body)',
      where,
    );
  }
  return { schemaId: value.readInt32BE(1), body: value.subarray(HEADER_LENGTH) };
}
