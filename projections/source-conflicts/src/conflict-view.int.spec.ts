import { projectionSpec } from '@verity/events/testing';
import { readConflict, readConflicts, type SourceConflictView } from './conflict-view';
import { sourceConflictsProjection } from './projection';

const spec = projectionSpec(sourceConflictsProjection);

const detected = (conflictId: string, sku: string, tenant = 'acme') => ({
  type: 'verity.catalog.ConflictDetected' as const,
  data: {
    conflictId,
    sku,
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
  },
  metadata: { tenant, subject: `${tenant}/${sku}` },
});

describe('readConflicts', () => {
  it('reads the views readConflict reads, one per id asked for, none for an id without a conflict', () =>
    spec
      .given([
        detected('CF-1', 'S-1'),
        detected('CF-2', 'S-2'),
        detected('CF-3', 'S-3'),
        detected('CF-1', 'G-1', 'globex'),
      ])
      .when([
        {
          type: 'verity.catalog.ConflictResolved',
          data: { conflictId: 'CF-2', sku: 'S-2', location: null, field: 'catalog.description', accepted: 'incoming' },
          metadata: { subject: 'acme/S-2' },
        },
      ])
      .then(async ({ db, schema }) => {
        const ids = ['CF-3', 'CF-1', 'CF-MISSING', 'CF-2', 'CF-1'];
        const views = await readConflicts(db, schema, 'acme', ids);
        const one = new Map<string, SourceConflictView>();
        for (const id of ids) {
          const view = await readConflict(db, schema, 'acme', id);
          if (view) one.set(id, view);
        }
        expect(one.size).toBe(3);
        expect(views).toEqual(one);
        expect(views.get('CF-1')).toMatchObject({ tenant: 'acme', sku: 'S-1', status: 'open' });
        expect(views.get('CF-2')).toMatchObject({ sku: 'S-2', status: 'resolved', accepted: 'incoming', version: 2 });
        const globex = await readConflicts(db, schema, 'globex', ids);
        expect([...globex.values()]).toEqual([expect.objectContaining({ tenant: 'globex', sku: 'G-1' })]);
        expect(await readConflicts(db, schema, 'acme', [])).toEqual(new Map());
      }));
});
