import type { ContextDefinition } from '@verity/core';
import type { CommandIntake, DeadLetters, SourceChange, SyncMetrics } from '@verity/connector-intake';
import { ERP_SOURCE, triageRecord, type CdcRecord } from '@verity/connector-cdc';
import type { Logger } from '@verity/events';

export interface IngestOptions {
  intake: CommandIntake;
  deadLetters: DeadLetters;
  metrics: SyncMetrics;
  contexts: readonly ContextDefinition[];
  logger: Logger;
}

/**
 * Turns a batch of Debezium records into commands and dead letters, and resolves once all of
 * them are durable: only then may the consumer commit past the batch. A record that cannot be
 * mapped is given up to the dead letters and the batch goes on, so one bad row never stops the
 * consumer; a failure to write (the broker) rejects, and the batch is read again.
 */
export function createRecordIngest(options: IngestOptions): (records: readonly CdcRecord[]) => Promise<void> {
  const { intake, deadLetters, metrics, contexts, logger } = options;
  return async (records) => {
    const changes: SourceChange[] = [];
    const letters: Promise<unknown>[] = [];
    for (const record of records) {
      const triage = triageRecord(record, contexts);
      if (triage.kind === 'skip') continue;
      if (triage.kind === 'dead-letter') {
        const { letter } = triage;
        logger.warn({ code: letter.code, reason: letter.reason, position: letter.position }, 'change dead-lettered');
        metrics.count({ ingestor: 'cdc', source: ERP_SOURCE, tenant: letter.tenant ?? 'unknown' }, 'dead_lettered');
        letters.push(deadLetters.write(letter));
        continue;
      }
      changes.push(...triage.changes);
      const labels = { ingestor: 'cdc', source: ERP_SOURCE, tenant: triage.tenant };
      metrics.seen(labels, triage.sourceTimestamp);
      // An update of columns no command carries (updated_at alone) is a change seen and skipped.
      if (triage.changes.length === 0) metrics.count(labels, 'skipped_unchanged');
      else metrics.count(labels, 'submitted', triage.changes.length);
    }
    await Promise.all([intake.submit(changes), ...letters]);
  };
}
