import { compareCodeUnits, eventFullName, type EventFullName } from '@verity/core';
import { contexts } from '@verity/domain';
import type { Projection, ProjectedEvent, ProjectionTransaction } from '@verity/events';
import { SYNC_SOURCES_TABLE, syncStatusMigrations } from './migrations';

/** The contexts source systems write to: catalog, stock and prices. */
const SYNCED_CONTEXTS = ['catalog', 'inventory', 'pricing'];

/** Every event of those contexts: each one is a change some source made, or lost. */
const SYNCED_EVENTS = contexts
  .filter((c) => SYNCED_CONTEXTS.includes(c.name))
  .flatMap((c) => c.events.map((e) => eventFullName(c.name, e) as EventFullName));

type ConflictDetected = ProjectedEvent<'verity.catalog.ConflictDetected' | 'verity.inventory.ConflictDetected'>;
const isConflict = (event: ProjectedEvent): event is ConflictDetected =>
  event.type === 'verity.catalog.ConflictDetected' || event.type === 'verity.inventory.ConflictDetected';

/** What a run of changes adds to one source's row. */
interface SourceCount {
  tenant: string;
  source_system: string;
  applied: number;
  conflicted: number;
  /** The newest source time of the run (null: none of its changes had one). */
  last_change_at: string | null;
  /** When the change holding that newest source time was appended: the last such, as one by one. */
  last_applied_at: string;
}

/**
 * A change counts for its source: applied, or (a conflict detected) against the source whose
 * change lost. Folded over the run in order as the row's update below would take them one by
 * one: a change at least as new as the newest so far moves `last_applied_at`.
 */
function countSources(events: readonly ProjectedEvent[]): SourceCount[] {
  const counts = new Map<string, SourceCount>();
  for (const event of events) {
    const { tenant, time } = event.metadata;
    const conflict = isConflict(event);
    const source = conflict ? event.data.incomingSourceSystem : event.metadata.sourceSystem;
    const sourceTime = (conflict ? event.data.incomingSourceTimestamp : event.metadata.sourceTimestamp) ?? null;
    const key = `${tenant}\u0000${source}`;
    const count = counts.get(key) ?? {
      tenant,
      source_system: source,
      applied: 0,
      conflicted: 0,
      last_change_at: null,
      last_applied_at: time,
    };
    if (conflict) count.conflicted += 1;
    else count.applied += 1;
    const newest = count.last_change_at;
    if (newest === null || (sourceTime !== null && Date.parse(sourceTime) >= Date.parse(newest)))
      count.last_applied_at = time;
    if (newest === null || (sourceTime !== null && Date.parse(sourceTime) > Date.parse(newest)))
      count.last_change_at = sourceTime;
    counts.set(key, count);
  }
  // In one order for every batch: batches of other partitions update the same rows side by
  // side, and two that locked them in the orders they first met them deadlocked.
  return [...counts.values()].sort(
    (a, b) => compareCodeUnits(a.tenant, b.tenant) || compareCodeUnits(a.source_system, b.source_system),
  );
}

/**
 * Adds a batch's changes to their sources' rows in one statement. The newest source time and
 * when it was appended move forward only, so a late, older change does not make the source
 * look behind.
 */
async function count(store: ProjectionTransaction, events: readonly ProjectedEvent[]): Promise<never[]> {
  await store.db.raw(
    `INSERT INTO ??.?? AS s (tenant, source_system, applied, conflicted, last_change_at, last_applied_at)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(tenant text, source_system text, applied bigint,
            conflicted bigint, last_change_at timestamptz, last_applied_at timestamptz)
     ON CONFLICT (tenant, source_system) DO UPDATE SET
       applied = s.applied + excluded.applied,
       conflicted = s.conflicted + excluded.conflicted,
       last_applied_at = CASE WHEN s.last_change_at IS NULL OR excluded.last_change_at >= s.last_change_at
                              THEN excluded.last_applied_at ELSE s.last_applied_at END,
       last_change_at = GREATEST(s.last_change_at, excluded.last_change_at)`,
    [store.schema, SYNC_SOURCES_TABLE, JSON.stringify(countSources(events))],
  );
  return [];
}

/**
 * How each tenant's source systems are doing: what Verity applied of each, what lost to the
 * authority rules, and the newest change. Rejections come from the command outcomes and dead
 * letters from the ingestors' topics (see `syncStatusOf`).
 */
export const syncStatusProjection: Projection<EventFullName, never> = {
  name: 'sync-status',
  contexts: SYNCED_CONTEXTS,
  events: SYNCED_EVENTS,
  migrations: syncStatusMigrations,
  apply: (store, event) => count(store, [event]),
  applyBatch: count,
  async publish() {
    // Read from PostgreSQL only: nothing is cached.
  },
};
