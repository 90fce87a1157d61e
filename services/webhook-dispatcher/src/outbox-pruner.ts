import type { Knex } from 'knex';
import { pruneDeliveries } from '@verity/connector-outbound';
import { startPeriodicPrune, type PeriodicPruneOptions } from '@verity/events';

export interface OutboxPrunerOptions extends Omit<PeriodicPruneOptions, 'what' | 'prune'> {
  db: Knex;
  schema: string;
}

/**
 * Prunes the outbox's settled deliveries kept past `retentionMs` after they were queued, so the
 * outbox holds what is pending and a window of history (the delivery log shows them), not every
 * delivery ever made.
 */
export function startOutboxPruner({ db, schema, ...options }: OutboxPrunerOptions): { stop(): Promise<void> } {
  return startPeriodicPrune({
    ...options,
    what: 'settled webhook deliveries',
    prune: (before) => pruneDeliveries(db, schema, before),
  });
}
