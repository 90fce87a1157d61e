import type { Knex } from 'knex';
import { startPeriodicPrune, type PeriodicPruneOptions } from '@verity/events';
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

export interface ResolutionPrunerOptions extends Omit<PeriodicPruneOptions, 'what' | 'prune'> {
  db: Knex;
  schema: string;
}

/** Prunes the resolution log so it holds a window of history, not every resolve ever answered. */
export function startResolutionPruner({ db, schema, ...options }: ResolutionPrunerOptions): { stop(): Promise<void> } {
  return startPeriodicPrune({
    ...options,
    what: 'alias resolutions',
    prune: (before) => pruneResolutions(db, schema, before),
  });
}
