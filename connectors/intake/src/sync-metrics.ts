import type { Counter, Gauge, Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '@verity/events';

/** What became of a source's change. */
export type ChangeOutcome = 'submitted' | 'skipped_unchanged' | 'rejected' | 'dead_lettered';

type Labels = 'ingestor' | 'source' | 'tenant';

/** Every ingestor's counts and freshness, per source and tenant, under the same names. */
export interface SyncMetrics {
  changes: Counter<Labels | 'outcome'>;
  /** When the newest change seen from a source happened there (seconds since the epoch): lag = now - this. */
  lastChange: Gauge<Labels>;
  count(labels: Record<Labels, string>, outcome: ChangeOutcome, n?: number): void;
  seen(labels: Record<Labels, string>, sourceTimestamp: string | Date): void;
}

export function syncMetrics(registry: Registry): SyncMetrics {
  const changes = sharedCounter(registry, {
    name: 'verity_sync_changes_total',
    help: 'Changes from source systems by what became of them',
    labelNames: ['ingestor', 'source', 'tenant', 'outcome'],
  });
  const lastChange = sharedGauge(registry, {
    name: 'verity_sync_last_change_timestamp_seconds',
    help: 'When the newest change seen from a source happened there',
    labelNames: ['ingestor', 'source', 'tenant'],
  });
  const newest = new Map<string, number>();
  return {
    changes,
    lastChange,
    count: (labels, outcome, n = 1) => changes.inc({ ...labels, outcome }, n),
    seen(labels, sourceTimestamp) {
      const seconds = new Date(sourceTimestamp).getTime() / 1000;
      if (!Number.isFinite(seconds)) return;
      // The newest: a late, older change does not move it back.
      const key = `${labels.ingestor}\u0000${labels.source}\u0000${labels.tenant}`;
      if (seconds <= (newest.get(key) ?? 0)) return;
      newest.set(key, seconds);
      lastChange.set(labels, seconds);
    },
  };
}
