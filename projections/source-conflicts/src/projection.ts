import { publishChangeNotice, type Projection, type ProjectedEvent, type ProjectionTransaction } from '@verity/events';
import { cacheConflictView, conflictCacheKey } from './conflict-cache';
import { readConflicts, type SourceConflictView } from './conflict-view';
import { sourceConflictMigrations } from './migrations';

/** What a batch changed: one conflict of one tenant (authority rules are read from PostgreSQL only). */
export interface ConflictChange {
  tenant: string;
  conflictId: string;
}

// Most catalog and inventory events are no conflict: they are not decoded.
const CONFLICT_EVENTS = [
  'verity.catalog.ConflictDetected',
  'verity.inventory.ConflictDetected',
  'verity.catalog.ConflictResolved',
  'verity.inventory.ConflictResolved',
  'verity.sources.AuthorityRuleSet',
  'verity.sources.AuthorityRuleRemoved',
] as const;

type ConflictEvent = ProjectedEvent<(typeof CONFLICT_EVENTS)[number]>;

// The catalog's and inventory's conflict events have one shape.
type ConflictDetected = ProjectedEvent<'verity.catalog.ConflictDetected' | 'verity.inventory.ConflictDetected'>;
type ConflictResolved = ProjectedEvent<'verity.catalog.ConflictResolved' | 'verity.inventory.ConflictResolved'>;

async function applyDetected(
  store: ProjectionTransaction,
  event: ConflictDetected,
  context: string,
): Promise<ConflictChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const d = event.data;
  await store.db
    .withSchema(store.schema)
    .table('source_conflicts')
    .insert({
      tenant,
      conflict_id: d.conflictId,
      context,
      sku: d.sku,
      location: d.location,
      field: d.field,
      rule: d.rule,
      owners: JSON.stringify(d.owners),
      // Both values arrive as JSON text: jsonb keeps them typed (a description string, an on-hand count).
      current_value: d.currentValue,
      current_source_system: d.currentSourceSystem,
      current_source_timestamp: d.currentSourceTimestamp,
      incoming_value: d.incomingValue,
      incoming_source_system: d.incomingSourceSystem,
      incoming_source_timestamp: d.incomingSourceTimestamp,
      status: 'open',
      detected_at: time,
      version: streamVersion,
    })
    .onConflict(['tenant', 'conflict_id'])
    .ignore();
  return [{ tenant, conflictId: d.conflictId }];
}

async function applyResolved(store: ProjectionTransaction, event: ConflictResolved): Promise<ConflictChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const d = event.data;
  await store.db
    .withSchema(store.schema)
    .table('source_conflicts')
    .where({ tenant, conflict_id: d.conflictId })
    .update({ status: 'resolved', accepted: d.accepted, resolved_at: time, version: streamVersion });
  return [{ tenant, conflictId: d.conflictId }];
}

async function applyRuleSet(
  store: ProjectionTransaction,
  event: ProjectedEvent<'verity.sources.AuthorityRuleSet'>,
): Promise<ConflictChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const d = event.data;
  const row = { owners: JSON.stringify(d.owners), version: streamVersion, updated_at: time };
  await store.db
    .withSchema(store.schema)
    .table('authority_rules')
    .insert({ tenant, field: d.field, ...row })
    .onConflict(['tenant', 'field'])
    .merge(row);
  return [];
}

async function applyRuleRemoved(
  store: ProjectionTransaction,
  event: ProjectedEvent<'verity.sources.AuthorityRuleRemoved'>,
): Promise<ConflictChange[]> {
  await store.db
    .withSchema(store.schema)
    .table('authority_rules')
    .where({ tenant: event.metadata.tenant, field: event.data.field })
    .delete();
  return [];
}

/**
 * Conflicts between source systems, detected and resolved in the catalog's and inventory's
 * streams, and the tenants' authority rules (the sources context): one read model over three
 * events topics. Single conflicts are cached; the lists read PostgreSQL.
 */
export const sourceConflictsProjection: Projection<ConflictEvent['type'], ConflictChange> = {
  name: 'source-conflicts',
  contexts: ['catalog', 'inventory', 'sources'],
  events: CONFLICT_EVENTS,
  migrations: sourceConflictMigrations,
  async apply(store, event) {
    switch (event.type) {
      case 'verity.catalog.ConflictDetected':
        return applyDetected(store, event, 'catalog');
      case 'verity.inventory.ConflictDetected':
        return applyDetected(store, event, 'inventory');
      case 'verity.catalog.ConflictResolved':
      case 'verity.inventory.ConflictResolved':
        return applyResolved(store, event);
      case 'verity.sources.AuthorityRuleSet':
        return applyRuleSet(store, event);
      case 'verity.sources.AuthorityRuleRemoved':
        return applyRuleRemoved(store, event);
    }
  },
  async publish(store, cache, changes) {
    const unique = [...new Map(changes.map((c) => [`${c.tenant}/${c.conflictId}`, c])).values()];
    const idsOf = new Map<string, string[]>();
    for (const { tenant, conflictId } of unique) {
      const ids = idsOf.get(tenant) ?? [];
      ids.push(conflictId);
      idsOf.set(tenant, ids);
    }
    const viewsOf = new Map<string, Map<string, SourceConflictView>>();
    for (const [tenant, ids] of idsOf) viewsOf.set(tenant, await readConflicts(store.db, store.schema, tenant, ids));
    // Issued together, they go out back to back on the one connection and run in that order:
    // each conflict's value is cached before its notice is published, at one round trip a batch.
    await Promise.all(
      unique.flatMap(({ tenant, conflictId }) => {
        const view = viewsOf.get(tenant)?.get(conflictId);
        if (!view) return [];
        return [
          cacheConflictView(cache.redis, cache.keyPrefix, view),
          // The SKU and the context it lives in let subscribers filter without reading the conflict.
          publishChangeNotice(cache.redis, cache.keyPrefix, {
            context: 'conflicts',
            tenant,
            conflictId,
            sku: view.sku,
            conflictContext: view.context,
            key: conflictCacheKey(cache.keyPrefix, tenant, conflictId),
            version: view.version,
          }),
        ];
      }),
    );
  },
};
