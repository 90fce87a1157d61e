import type { Knex } from 'knex';
import type { Counter } from 'prom-client';
import type { Logger } from '@verity/events';
import { ALIAS_RESOLUTIONS_TABLE } from './migrations';

/** Rows removed per statement: a prune holds no lock for long. */
const PRUNE_BATCH = 5_000;

/** Removes every tenant's resolutions older than `before`, in bounded statements; how many it removed. */
export async function pruneResolutions(db: Knex, schema: string, before: Date, batch = PRUNE_BATCH): Promise<number> {
  let removed = 0;
  for (;;) {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `DELETE FROM ??.?? WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM ??.?? WHERE resolved_at < ? ORDER BY resolved_at LIMIT ?))`,
      [schema, ALIAS_RESOLUTIONS_TABLE, schema, ALIAS_RESOLUTIONS_TABLE, before, batch],
    );
    removed += rowCount;
    if (rowCount < batch) return removed;
  }
}

export interface ResolutionPrunerOptions {
  db: Knex;
  schema: string;
  /** Resolutions are kept this long (`VERITY_ALIAS_RESOLUTIONS_RETENTION_DAYS`). */
  retentionMs: number;
  /** How often to prune. */
  everyMs: number;
  pruned: Counter;
  logger: Logger;
}

/**
 * Prunes the resolution log now and then every `everyMs`, so it holds a window of history and
 * not every resolve ever answered. A failed prune is logged and tried again at the next turn.
 */
export function startResolutionPruner(options: ResolutionPrunerOptions): { stop(): Promise<void> } {
  const { db, schema, retentionMs, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const prune = (): void => {
    running = running.then(async () => {
      try {
        const removed = await pruneResolutions(db, schema, new Date(Date.now() - retentionMs));
        options.pruned.inc(removed);
        if (removed > 0) logger.info({ removed, retentionMs }, 'pruned alias resolutions past their retention');
      } catch (error) {
        logger.warn({ err: error }, 'pruning alias resolutions failed; trying again later');
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
