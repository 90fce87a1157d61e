import { projectionSpec } from '@verity/events/testing';
import { aliasResolveKey } from './alias-cache';
import { aliasesRegistryProjection } from './projection';

const spec = projectionSpec(aliasesRegistryProjection);
const onRegistry = { metadata: { subject: 'acme/registry' } };

const registered = (alias: string, expiresAt: string | null = null) => ({
  type: 'verity.aliases.AliasRegistered' as const,
  data: {
    alias,
    context: 'frontend',
    canonical: 'catalog.products.list',
    description: 'Products',
    owner: 'team-web',
    expiresAt,
    conflictId: null,
  },
  ...onRegistry,
});
const conflictDetected = {
  type: 'verity.aliases.AliasConflictDetected' as const,
  data: {
    conflictId: 'AC-1',
    alias: 'products',
    context: 'frontend',
    canonical: 'catalog.items.list',
    owner: 'team-app',
    existingAlias: 'products',
    existingOwner: 'team-web',
    kind: 'alias_taken',
    description: null,
    expiresAt: null,
  },
  ...onRegistry,
};

describe('aliases-registry projection', () => {
  it('AliasRegistered adds an active alias, caches its resolution and notices it', () =>
    spec
      .given([])
      .when([registered('products')])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(
          await table('aliases').select(
            'tenant',
            'context',
            'alias',
            'canonical',
            'description',
            'owner',
            'expires_at',
            'status',
            'version',
          ),
        ).toEqual([
          {
            tenant: 'acme',
            context: 'frontend',
            alias: 'products',
            canonical: 'catalog.products.list',
            description: 'Products',
            owner: 'team-web',
            expires_at: null,
            status: 'active',
            version: 1,
          },
        ]);
        const key = aliasResolveKey(keyPrefix, 'acme', 'frontend', 'products');
        expect(await cached(key)).toEqual({ canonical: 'catalog.products.list', expiresAt: null, version: 1 });
        expect(notices).toEqual([{ context: 'aliases', tenant: 'acme', key, version: 1 }]);
      }));

  it('AliasRegistered of an alias already expired is noticed but not cached', () =>
    spec
      .given([])
      .when([registered('old', '2020-01-01T00:00:00.000Z')])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await table('aliases').select('alias', 'expires_at', 'status')).toEqual([
          { alias: 'old', expires_at: new Date('2020-01-01T00:00:00.000Z'), status: 'active' },
        ]);
        const key = aliasResolveKey(keyPrefix, 'acme', 'frontend', 'old');
        expect(await cached(key)).toBeUndefined();
        expect(notices).toEqual([{ context: 'aliases', tenant: 'acme', key, version: 1 }]);
      }));

  it('AliasDeactivated marks the alias inactive, drops its cached resolution and notices it', () =>
    spec
      .given([registered('products')])
      .when([
        {
          type: 'verity.aliases.AliasDeactivated',
          data: { alias: 'products', context: 'frontend', canonical: 'catalog.products.list', reason: 'deactivated' },
          ...onRegistry,
        },
      ])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await table('aliases').select('alias', 'status', 'version')).toEqual([
          { alias: 'products', status: 'inactive', version: 2 },
        ]);
        const key = aliasResolveKey(keyPrefix, 'acme', 'frontend', 'products');
        expect(await cached(key)).toBeUndefined();
        expect(notices).toEqual([{ context: 'aliases', tenant: 'acme', key, version: 2 }]);
      }));

  it('AliasConflictDetected opens a conflict, with no cache work and no notice', () =>
    spec
      .given([registered('products')])
      .when([conflictDetected])
      .then(async ({ table, notices }) => {
        expect(
          await table('alias_conflicts').select(
            'tenant',
            'conflict_id',
            'context',
            'alias',
            'canonical',
            'owner',
            'existing_alias',
            'existing_owner',
            'kind',
            'status',
            'version',
          ),
        ).toEqual([
          {
            tenant: 'acme',
            conflict_id: 'AC-1',
            context: 'frontend',
            alias: 'products',
            canonical: 'catalog.items.list',
            owner: 'team-app',
            existing_alias: 'products',
            existing_owner: 'team-web',
            kind: 'alias_taken',
            status: 'open',
            version: 2,
          },
        ]);
        expect(notices).toEqual([]);
      }));

  it.each([
    ['accept', 'accepted'],
    ['reject', 'rejected'],
  ])('AliasConflictResolved with %s closes the conflict as %s', (resolution, status) =>
    spec
      .given([registered('products'), conflictDetected])
      .when([
        {
          type: 'verity.aliases.AliasConflictResolved',
          data: { conflictId: 'AC-1', resolution, alias: 'products', context: 'frontend' },
          ...onRegistry,
        },
      ])
      .then(async ({ table, notices }) => {
        expect(await table('alias_conflicts').select('conflict_id', 'status', 'resolved_at', 'version')).toEqual([
          { conflict_id: 'AC-1', status, resolved_at: new Date('2025-01-01T00:00:02.000Z'), version: 3 },
        ]);
        expect(notices).toEqual([]);
      }),
  );
});
