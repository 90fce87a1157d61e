import type { Knex } from 'knex';
import type { Counter } from 'prom-client';
import { pruneDeliveries } from '@verity/connector-outbound';
import type { Logger } from '@verity/events';

export interface OutboxPrunerOptions {
  db: Knex;
  schema: string;
  /** Settled deliveries are kept this long after they were queued (the delivery log shows them). */
  retentionMs: number;
  /** How often to prune. */
  everyMs: number;
  pruned: Counter;
  logger: Logger;
}

/**
 * Prunes the outbox's settled deliveries now and then every `everyMs`, so the outbox holds
 * what is pending and a window of history, not every delivery ever made. A failed prune is
 * logged and tried again at the next turn.
 */
export function startOutboxPruner(options: OutboxPrunerOptions): { stop(): Promise<void> } {
  const { db, schema, retentionMs, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const prune = (): void => {
    running = running.then(async () => {
      try {
        const removed = await pruneDeliveries(db, schema, new Date(Date.now() - retentionMs));
        options.pruned.inc(removed);
        if (removed > 0) logger.info({ removed, retentionMs }, 'pruned settled webhook deliveries');
      } catch (error) {
        logger.warn({ err: error }, 'pruning settled webhook deliveries failed; trying again later');
      }
    });
  };
  prune();
  const timer = setInterval(prune, options.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
