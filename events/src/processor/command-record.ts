import type { IHeaders } from 'kafkajs';
import { commandEnvelopeSchema, findCommand, type CommandEnvelope, type ContextDefinition } from '@verity/core';

/** A record of a commands topic, as the consumer hands it over. */
export interface CommandRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** A command record read: its envelope, or why it has none (it goes to the dead-letter topic). */
export type ReadCommandRecord =
  | { kind: 'command'; record: CommandRecord; envelope: CommandEnvelope }
  | { kind: 'undecodable'; record: CommandRecord; reason: string };

export function readCommandRecord(record: CommandRecord): ReadCommandRecord {
  let json: unknown;
  try {
    json = JSON.parse(record.value?.toString('utf8') ?? '');
  } catch (error) {
    return {
      kind: 'undecodable',
      record,
      reason: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const parsed = commandEnvelopeSchema.safeParse(json);
  if (parsed.success) return { kind: 'command', record, envelope: parsed.data };
  return {
    kind: 'undecodable',
    record,
    reason: `not a command envelope: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  };
}

/** Short names of the context's commands among the records: the references they use are caught up before deciding. */
export function commandNamesOf(context: ContextDefinition, records: readonly ReadCommandRecord[]): string[] {
  return records.flatMap((r) => {
    const found = r.kind === 'command' ? findCommand([context], r.envelope.type) : undefined;
    return found ? [found.name] : [];
  });
}
