import { projectionSpec } from '@verity/events/testing';
import { readStreamHistory } from './history-view';
import { streamHistoryProjection } from './projection';

const spec = projectionSpec(streamHistoryProjection);

const received = (sku: string, quantity: number, tenant = 'acme') => ({
  type: 'verity.inventory.StockReceived' as const,
  data: { sku, location: 'berlin', quantity },
  metadata: { tenant, subject: `${tenant}/${sku}` },
});

describe('stream-history projection', () => {
  it('keeps every event by stream and version, as the log holds it', () =>
    spec
      .given([received('S-1', 10)])
      .when([
        received('S-2', 1),
        { ...received('S-1', 5), metadata: { subject: 'acme/S-1', onBehalfOf: 'alice', hash: 'h2', prevHash: 'h1' } },
      ])
      .then(async ({ db, schema }) => {
        const history = await readStreamHistory(db, schema, {
          tenant: 'acme',
          context: 'inventory',
          streamId: 'acme/S-1',
        });
        expect(history).toEqual([
          {
            version: 1,
            offset: '0',
            time: '2025-01-01T00:00:00.000Z',
            type: 'verity.inventory.StockReceived',
            actor: 'spec',
            sourceSystem: 'verity',
            sourceTimestamp: '2025-01-01T00:00:00.000Z',
            correlationId: 'spec-1',
            causationId: 'spec-1',
            payload: { sku: 'S-1', location: 'berlin', quantity: 10 },
            hash: '',
            prevHash: '',
          },
          expect.objectContaining({ version: 2, offset: '2', onBehalfOf: 'alice', hash: 'h2', prevHash: 'h1' }),
        ]);
        expect(history[1]!.payload).toMatchObject({ quantity: 5 });
      }));

  it('pages by version and keeps tenants and contexts apart', () =>
    spec
      .given([])
      .when([
        ...[1, 2, 3, 4].map((q) => received('S-1', q)),
        received('S-1', 9, 'globex'),
        {
          type: 'verity.catalog.ProductDiscontinued' as const,
          data: { sku: 'S-1', reason: null },
          metadata: { subject: 'acme/S-1' },
        },
      ])
      .then(async ({ db, schema }) => {
        const stream = { tenant: 'acme', context: 'inventory', streamId: 'acme/S-1' };
        const versions = async (page: { fromVersion?: number; limit?: number }) =>
          (await readStreamHistory(db, schema, { ...stream, ...page })).map((e) => e.version);
        expect(await versions({})).toEqual([1, 2, 3, 4]);
        expect(await versions({ limit: 2 })).toEqual([1, 2]);
        expect(await versions({ fromVersion: 3, limit: 2 })).toEqual([3, 4]);
        expect(await versions({ fromVersion: 5 })).toEqual([]);
        const catalog = await readStreamHistory(db, schema, { ...stream, context: 'catalog' });
        expect(catalog.map((e) => e.type)).toEqual(['verity.catalog.ProductDiscontinued']);
        const globex = await readStreamHistory(db, schema, { ...stream, tenant: 'globex', streamId: 'globex/S-1' });
        expect(globex.map((e) => e.payload.quantity)).toEqual([9]);
      }));

  it('applies a redelivered batch once', () =>
    spec
      .given([])
      .when([received('S-1', 1), received('S-1', 2)], { deliveries: 3 })
      .then(async ({ table }) => {
        expect(await table('stream_events').select('version').orderBy('version')).toEqual([
          { version: 1 },
          { version: 2 },
        ]);
      }));
});
