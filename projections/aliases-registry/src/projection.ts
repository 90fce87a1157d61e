import { publishChangeNotice, type Projection, type ProjectedEvent, type ProjectionTransaction } from '@verity/events';
import { aliasResolveKey, cacheResolution, forgetResolution } from './alias-cache';
import { readAliases, type AliasView } from './alias-view';
import { aliasMigrations } from './migrations';

/** What a batch changed: one alias of one tenant (conflict rows need no cache work). */
export interface AliasChange {
  tenant: string;
  context: string;
  alias: string;
}

/** GovernanceSet is the decider's business; the read side does not need it. */
const ALIAS_EVENTS = [
  'verity.aliases.AliasRegistered',
  'verity.aliases.AliasDeactivated',
  'verity.aliases.AliasConflictDetected',
  'verity.aliases.AliasConflictResolved',
] as const;

type AliasEvent = ProjectedEvent<(typeof ALIAS_EVENTS)[number]>;

async function apply(store: ProjectionTransaction, event: AliasEvent): Promise<AliasChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const aliases = () => store.db.withSchema(store.schema).table('aliases');
  const conflicts = () => store.db.withSchema(store.schema).table('alias_conflicts');
  switch (event.type) {
    case 'verity.aliases.AliasRegistered': {
      const d = event.data;
      const row = {
        tenant,
        context: d.context,
        alias: d.alias,
        canonical: d.canonical,
        description: d.description,
        owner: d.owner,
        expires_at: d.expiresAt,
        status: 'active',
        version: streamVersion,
        updated_at: time,
      };
      await aliases().insert(row).onConflict(['tenant', 'context', 'alias']).merge();
      return [{ tenant, context: d.context, alias: d.alias }];
    }
    case 'verity.aliases.AliasDeactivated': {
      const { context, alias } = event.data;
      await aliases()
        .where({ tenant, context, alias })
        .update({ status: 'inactive', version: streamVersion, updated_at: time });
      return [{ tenant, context, alias }];
    }
    case 'verity.aliases.AliasConflictDetected': {
      const d = event.data;
      await conflicts()
        .insert({
          tenant,
          conflict_id: d.conflictId,
          context: d.context,
          alias: d.alias,
          canonical: d.canonical,
          owner: d.owner,
          existing_alias: d.existingAlias,
          existing_owner: d.existingOwner,
          kind: d.kind,
          status: 'open',
          detected_at: time,
          version: streamVersion,
        })
        .onConflict(['tenant', 'conflict_id'])
        .ignore();
      return [];
    }
    case 'verity.aliases.AliasConflictResolved':
      await conflicts()
        .where({ tenant, conflict_id: event.data.conflictId })
        .update({
          status: event.data.resolution === 'accept' ? 'accepted' : 'rejected',
          resolved_at: time,
          version: streamVersion,
        });
      return [];
  }
}

/** Aliases and conflicts per tenant, plus the Redis resolution cache the resolve endpoint reads. */
export const aliasesRegistryProjection: Projection<AliasEvent['type'], AliasChange> = {
  name: 'aliases-registry',
  contexts: ['aliases'],
  events: ALIAS_EVENTS,
  migrations: aliasMigrations,
  apply,
  async publish(store, cache, changes) {
    const idOf = (c: AliasChange): string => JSON.stringify([c.tenant, c.context, c.alias]);
    const unique = [...new Map(changes.map((c) => [idOf(c), c])).values()];
    const now = new Date();
    const namesOf = new Map<string, AliasChange[]>();
    for (const change of unique) {
      const names = namesOf.get(change.tenant) ?? [];
      names.push(change);
      namesOf.set(change.tenant, names);
    }
    const views = new Map<string, AliasView>();
    for (const [tenant, names] of namesOf)
      for (const view of await readAliases(store.db, store.schema, tenant, names, now)) views.set(idOf(view), view);
    // Issued together, they go out back to back on the one connection and run in that order:
    // each alias's resolution is cached (or dropped) before its notice is published, at one round trip a batch.
    await Promise.all(
      unique.flatMap((change) => {
        const view = views.get(idOf(change));
        if (!view) return [];
        const { tenant, context, alias } = change;
        return [
          view.status === 'active'
            ? cacheResolution(
                cache.redis,
                cache.keyPrefix,
                tenant,
                context,
                alias,
                { canonical: view.canonical, expiresAt: view.expiresAt, version: view.version },
                now,
              )
            : forgetResolution(cache.redis, cache.keyPrefix, tenant, context, alias, view.version),
          publishChangeNotice(cache.redis, cache.keyPrefix, {
            context: 'aliases',
            tenant,
            key: aliasResolveKey(cache.keyPrefix, tenant, context, alias),
            version: view.version,
          }),
        ];
      }),
    );
  },
};
