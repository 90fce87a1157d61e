import { readCheckpoints } from '@verity/events';
import { projectionSpec } from '@verity/events/testing';
import { conflictCacheKey } from './conflict-cache';
import { sourceConflictsProjection } from './projection';

const spec = projectionSpec(sourceConflictsProjection);

const detectedData = {
  conflictId: 'CF-1',
  sku: 'S-1',
  location: null,
  field: 'catalog.description',
  currentValue: '"M6 bolt"',
  currentSourceSystem: 'netsuite',
  currentSourceTimestamp: '2025-01-01T10:00:00.000Z',
  incomingValue: '"Hex bolt"',
  incomingSourceSystem: 'shopify',
  incomingSourceTimestamp: '2025-01-01T11:00:00.000Z',
  rule: 'not_owner',
  owners: ['netsuite'],
};
const catalogDetected = {
  type: 'verity.catalog.ConflictDetected' as const,
  data: detectedData,
  metadata: { subject: 'acme/S-1' },
};
const inventoryDetected = {
  type: 'verity.inventory.ConflictDetected' as const,
  data: {
    ...detectedData,
    conflictId: 'CF-2',
    location: 'WH1',
    field: 'inventory.onHand',
    currentValue: '12',
    incomingValue: '9',
    rule: 'older_than_applied',
  },
  metadata: { subject: 'acme/S-1' },
};
const resolvedData = {
  conflictId: 'CF-1',
  sku: 'S-1',
  location: null,
  field: 'catalog.description',
  accepted: 'incoming',
};
const ruleSet = {
  type: 'verity.sources.AuthorityRuleSet' as const,
  data: { field: 'catalog.description', owners: ['netsuite', 'sap-b1'], previousOwners: null },
  metadata: { subject: 'acme/authority' },
};

const conflictNotice = (keyPrefix: string, conflictId: string, conflictContext: string, version: number) => ({
  context: 'conflicts',
  tenant: 'acme',
  conflictId,
  sku: 'S-1',
  conflictContext,
  key: conflictCacheKey(keyPrefix, 'acme', conflictId),
  version,
});

describe('source-conflicts projection', () => {
  it('a catalog ConflictDetected opens a conflict with both sides, caches its view and notices it', () =>
    spec
      .given([])
      .when([catalogDetected])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(
          await table('source_conflicts').select(
            'tenant',
            'conflict_id',
            'context',
            'sku',
            'location',
            'field',
            'rule',
            'owners',
            'current_value',
            'current_source_system',
            'incoming_value',
            'incoming_source_system',
            'status',
            'accepted',
            'version',
          ),
        ).toEqual([
          {
            tenant: 'acme',
            conflict_id: 'CF-1',
            context: 'catalog',
            sku: 'S-1',
            location: null,
            field: 'catalog.description',
            rule: 'not_owner',
            owners: ['netsuite'],
            current_value: 'M6 bolt',
            current_source_system: 'netsuite',
            incoming_value: 'Hex bolt',
            incoming_source_system: 'shopify',
            status: 'open',
            accepted: null,
            version: 1,
          },
        ]);
        expect(await cached(conflictCacheKey(keyPrefix, 'acme', 'CF-1'))).toEqual({
          tenant: 'acme',
          conflictId: 'CF-1',
          context: 'catalog',
          sku: 'S-1',
          location: null,
          field: 'catalog.description',
          rule: 'not_owner',
          owners: ['netsuite'],
          current: { value: 'M6 bolt', sourceSystem: 'netsuite', sourceTimestamp: '2025-01-01T10:00:00.000Z' },
          incoming: { value: 'Hex bolt', sourceSystem: 'shopify', sourceTimestamp: '2025-01-01T11:00:00.000Z' },
          status: 'open',
          accepted: null,
          detectedAt: '2025-01-01T00:00:00.000Z',
          resolvedAt: null,
          version: 1,
        });
        expect(notices).toEqual([conflictNotice(keyPrefix, 'CF-1', 'catalog', 1)]);
      }));

  it('an inventory ConflictDetected opens a conflict of the inventory, at its location', () =>
    spec
      .given([])
      .when([inventoryDetected])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(
          await table('source_conflicts').select(
            'conflict_id',
            'context',
            'location',
            'field',
            'rule',
            'current_value',
            'incoming_value',
            'status',
          ),
        ).toEqual([
          {
            conflict_id: 'CF-2',
            context: 'inventory',
            location: 'WH1',
            field: 'inventory.onHand',
            rule: 'older_than_applied',
            current_value: 12,
            incoming_value: 9,
            status: 'open',
          },
        ]);
        expect(await cached(conflictCacheKey(keyPrefix, 'acme', 'CF-2'))).toMatchObject({
          context: 'inventory',
          location: 'WH1',
          current: { value: 12 },
          incoming: { value: 9 },
        });
        expect(notices).toEqual([conflictNotice(keyPrefix, 'CF-2', 'inventory', 1)]);
      }));

  it.each([
    [
      'catalog',
      { type: 'verity.catalog.ConflictResolved' as const, data: resolvedData, metadata: { subject: 'acme/S-1' } },
      catalogDetected,
      'CF-1',
    ],
    [
      'inventory',
      {
        type: 'verity.inventory.ConflictResolved' as const,
        data: { ...resolvedData, conflictId: 'CF-2', accepted: 'current' },
        metadata: { subject: 'acme/S-1' },
      },
      inventoryDetected,
      'CF-2',
    ],
  ])(
    'ConflictResolved of the %s resolves the conflict with the side accepted',
    (context, resolved, detected, conflictId) =>
      spec
        .given([detected])
        .when([resolved])
        .then(async ({ table, cached, notices, keyPrefix }) => {
          expect(
            await table('source_conflicts').select('conflict_id', 'status', 'accepted', 'resolved_at', 'version'),
          ).toEqual([
            {
              conflict_id: conflictId,
              status: 'resolved',
              accepted: resolved.data.accepted,
              resolved_at: new Date('2025-01-01T00:00:01.000Z'),
              version: 2,
            },
          ]);
          expect(await cached(conflictCacheKey(keyPrefix, 'acme', conflictId))).toMatchObject({
            status: 'resolved',
            accepted: resolved.data.accepted,
            version: 2,
          });
          expect(notices).toEqual([conflictNotice(keyPrefix, conflictId, context, 2)]);
        }),
  );

  it('AuthorityRuleSet sets the owners of a field, with no notice', () =>
    spec
      .given([])
      .when([ruleSet])
      .then(async ({ table, notices }) => {
        expect(await table('authority_rules').select('tenant', 'field', 'owners', 'version')).toEqual([
          { tenant: 'acme', field: 'catalog.description', owners: ['netsuite', 'sap-b1'], version: 1 },
        ]);
        expect(notices).toEqual([]);
      }));

  it('AuthorityRuleRemoved removes the rule of a field, with no notice', () =>
    spec
      .given([ruleSet])
      .when([
        {
          type: 'verity.sources.AuthorityRuleRemoved',
          data: { field: 'catalog.description', previousOwners: ['netsuite', 'sap-b1'] },
          metadata: { subject: 'acme/authority' },
        },
      ])
      .then(async ({ table, notices }) => {
        expect(await table('authority_rules').select('field')).toEqual([]);
        expect(notices).toEqual([]);
      }));

  it('keeps a checkpoint per events topic it reads', () =>
    spec
      .given([])
      .when([catalogDetected, ruleSet, inventoryDetected])
      .then(async ({ db, schema, keyPrefix }) => {
        const checkpoint = (context: string) =>
          readCheckpoints(db, schema, sourceConflictsProjection.name, `${keyPrefix}.${context}.events`);
        expect(await checkpoint('catalog')).toEqual(new Map([[0, '1']]));
        expect(await checkpoint('sources')).toEqual(new Map([[0, '1']]));
        expect(await checkpoint('inventory')).toEqual(new Map([[0, '1']]));
      }));
});
