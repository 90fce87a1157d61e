import type { ContextDefinition } from '@verity/core';
import { UnmappableChangeError, commandOfChange, type DeadLetter, type SourceChange } from '@verity/connector-intake';
import { CURRENCY_HEADER, TENANT_HEADER } from './connector-config';
import { parseChangeRecord } from './debezium-record';
import { ERP_SOURCE, erpCommandsOf, positionOf } from './erp-mapping';

/** A record of a Debezium topic as the consumer hands it over. */
export interface CdcRecord {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
  headers?: Record<string, unknown>;
}

/** What becomes of a record: nothing (tombstone, heartbeat), commands, or a dead letter. */
export type Triage =
  | { kind: 'skip' }
  | { kind: 'commands'; tenant: string; sourceTimestamp: string; changes: SourceChange[] }
  | { kind: 'dead-letter'; letter: DeadLetter };

/** The text of a header however the client hands it (Buffer, string, or a list of either). */
function headerText(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (Buffer.isBuffer(first)) return first.toString('utf8');
  return typeof first === 'string' ? first : undefined;
}

/**
 * Decides what a Debezium record becomes, without I/O: its commands, each already checked by
 * its command's own schema (so the intake appends all of them or, for a bad row, none), or a
 * dead letter with the reason naming the field. The tenant and the currency are the
 * connector's, from the headers `verity connectors apply` configures.
 */
export function triageRecord(
  record: CdcRecord,
  contexts: readonly ContextDefinition[],
  receivedAt = new Date(),
): Triage {
  const tenant = headerText(record.headers, TENANT_HEADER);
  const currency = headerText(record.headers, CURRENCY_HEADER);
  const position = `${record.topic}/${record.partition}@${record.offset}`;
  // Named by the change's own position once it is known: what a replay starts from.
  let at = position;
  const deadLetter = (code: string, reason: string): Triage => ({
    kind: 'dead-letter',
    letter: {
      ingestor: 'cdc',
      source: ERP_SOURCE,
      ...(tenant === undefined ? {} : { tenant }),
      code,
      reason,
      position: at,
      original: record.value?.toString('utf8') ?? '',
      ...(currency === undefined ? {} : { settings: { currency } }),
    },
  });
  try {
    const change = parseChangeRecord(record.value);
    if (change === null) return { kind: 'skip' };
    at = `${position} ${positionOf(change)}`;
    if (tenant === undefined)
      return deadLetter(
        'no_tenant',
        `header ${TENANT_HEADER} missing: the connector was not configured by verity connectors apply`,
      );
    const changes = erpCommandsOf(change, { tenant, currency: currency ?? '' });
    for (const c of changes) commandOfChange(contexts, c, receivedAt);
    return { kind: 'commands', tenant, sourceTimestamp: change.committedAt, changes };
  } catch (error) {
    if (error instanceof UnmappableChangeError) return deadLetter(error.code, error.message);
    throw error;
  }
}
