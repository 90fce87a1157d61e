import type { ContextDefinition } from '@verity/core';
import { UnmappableChangeError, type SourceChange, type StoredDeadLetter } from '@verity/connector-intake';
import { triageRecord } from './cdc-record';
import { CURRENCY_HEADER, TENANT_HEADER } from './connector-config';

/**
 * A CDC dead letter mapped again (`verity dlq replay`): its original is the Debezium record's
 * value, and the tenant and currency it came with are the letter's; the commands get the ids
 * the change's LSN gave them the first time.
 */
export function replayCdcLetter(letter: StoredDeadLetter, contexts: readonly ContextDefinition[]): SourceChange[] {
  const headers: Record<string, string> = {};
  if (letter.tenant !== undefined) headers[TENANT_HEADER] = letter.tenant;
  if (letter.settings?.currency !== undefined) headers[CURRENCY_HEADER] = letter.settings.currency;
  const triage = triageRecord(
    { topic: 'dlq-replay', partition: 0, offset: '0', value: Buffer.from(letter.original, 'utf8'), headers },
    contexts,
  );
  if (triage.kind === 'dead-letter') throw new UnmappableChangeError(triage.letter.reason);
  return triage.kind === 'commands' ? triage.changes : [];
}
