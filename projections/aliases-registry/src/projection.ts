import type { Projection, ProjectedEvent } from '@verity/events';
import { aliasChangesChannel, aliasResolveKey, cacheResolution, forgetResolution } from './alias-cache';
import { readAlias } from './alias-view';
import { aliasMigrations } from './migrations';

/** What a batch changed: one alias of one tenant (conflict rows need no cache work). */
export interface AliasChange {
  tenant: string;
  context: string;
  alias: string;
}

type Store = Parameters<Projection['apply']>[0];
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

async function apply(store: Store, event: ProjectedEvent): Promise<AliasChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const d = event.data;
  const aliases = () => store.db.withSchema(store.schema).table('aliases');
  const conflicts = () => store.db.withSchema(store.schema).table('alias_conflicts');
  switch (event.type) {
    case 'verity.aliases.AliasRegistered': {
      const row = {
        tenant,
        context: d.context,
        alias: d.alias,
        canonical: d.canonical,
        description: str(d.description),
        owner: d.owner,
        expires_at: str(d.expiresAt),
        status: 'active',
        version: streamVersion,
        updated_at: time,
      };
      await aliases().insert(row).onConflict(['tenant', 'context', 'alias']).merge();
      return [{ tenant, context: d.context as string, alias: d.alias as string }];
    }
    case 'verity.aliases.AliasDeactivated':
      await aliases().where({ tenant, context: d.context, alias: d.alias }).update({ status: 'inactive', version: streamVersion, updated_at: time });
      return [{ tenant, context: d.context as string, alias: d.alias as string }];
    case 'verity.aliases.AliasConflictDetected':
      await conflicts()
        .insert({
          tenant,
          conflict_id: d.conflictId,
          context: d.context,
          alias: d.alias,
          canonical: d.canonical,
          owner: d.owner,
          existing_alias: str(d.existingAlias),
          existing_owner: str(d.existingOwner),
          kind: d.kind,
          status: 'open',
          detected_at: time,
          version: streamVersion,
        })
        .onConflict(['tenant', 'conflict_id'])
        .ignore();
      return [];
    case 'verity.aliases.AliasConflictResolved':
      await conflicts()
        .where({ tenant, conflict_id: d.conflictId })
        .update({ status: d.resolution === 'accept' ? 'accepted' : 'rejected', resolved_at: time, version: streamVersion });
      return [];
    default:
      // GovernanceSet is the decider's business; the read side does not need it.
      return [];
  }
}

/** Aliases and conflicts per tenant, plus the Redis resolution cache the resolve endpoint reads. */
export const aliasesRegistryProjection: Projection<AliasChange> = {
  name: 'aliases-registry',
  contexts: ['aliases'],
  migrations: aliasMigrations,
  apply,
  async publish(store, cache, changes) {
    const unique = [...new Map(changes.map((c) => [`${c.tenant}/${c.context}/${c.alias}`, c])).values()];
    const now = new Date();
    for (const { tenant, context, alias } of unique) {
      const view = await readAlias(store.db, store.schema, tenant, context, alias, now);
      if (!view) continue;
      if (view.status === 'active') {
        await cacheResolution(cache.redis, cache.keyPrefix, tenant, context, alias, { canonical: view.canonical, expiresAt: view.expiresAt, version: view.version }, now);
      } else {
        await forgetResolution(cache.redis, cache.keyPrefix, tenant, context, alias, view.version);
      }
      await cache.redis.publish(
        aliasChangesChannel(cache.keyPrefix),
        JSON.stringify({ context: 'aliases', tenant, key: aliasResolveKey(cache.keyPrefix, tenant, context, alias), version: view.version }),
      );
    }
  },
};
