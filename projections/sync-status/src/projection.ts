import { eventFullName, type EventFullName } from '@verity/core';
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

/**
 * Adds one change to its source's row: applied, or (a conflict detected) counted against the
 * source whose change lost. The newest source time and when it was appended move forward only,
 * so a late, older change does not make the source look behind.
 */
async function count(store: ProjectionTransaction, event: ProjectedEvent): Promise<void> {
  const { tenant, time } = event.metadata;
  const conflict = isConflict(event);
  const source = conflict ? event.data.incomingSourceSystem : event.metadata.sourceSystem;
  const sourceTime = conflict ? event.data.incomingSourceTimestamp : event.metadata.sourceTimestamp;
  const table = `${store.schema}.${SYNC_SOURCES_TABLE}`;
  await store.db.raw(
    `INSERT INTO ?? AS s (tenant, source_system, applied, conflicted, last_change_at, last_applied_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant, source_system) DO UPDATE SET
       applied = s.applied + excluded.applied,
       conflicted = s.conflicted + excluded.conflicted,
       last_applied_at = CASE WHEN s.last_change_at IS NULL OR excluded.last_change_at >= s.last_change_at
                              THEN excluded.last_applied_at ELSE s.last_applied_at END,
       last_change_at = GREATEST(s.last_change_at, excluded.last_change_at)`,
    [table, tenant, source, conflict ? 0 : 1, conflict ? 1 : 0, sourceTime, time],
  );
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
  async apply(store, event) {
    await count(store, event);
    return [];
  },
  async publish() {
    // Read from PostgreSQL only: nothing is cached.
  },
};
