import { readCheckpoints } from '@verity/events';
import { projectionSpec, type ProjectionSpecOutcome } from '@verity/events/testing';
import { inventoryStockProjection } from './projection';
import { stockCacheKey } from './stock-cache';

const spec = projectionSpec(inventoryStockProjection);
const onS1 = { metadata: { subject: 'acme/S-1' } };

const received = (quantity: number, location = 'WH1') => ({
  type: 'verity.inventory.StockReceived' as const,
  data: { sku: 'S-1', location, quantity },
  ...onS1,
});
const reserved = (quantity: number) => ({
  type: 'verity.inventory.StockReserved' as const,
  data: { sku: 'S-1', location: 'WH1', reservationId: 'R-1', quantity, expiresAt: '2025-02-01T00:00:00.000Z' },
  ...onS1,
});
const reservation = { sku: 'S-1', reservationId: 'R-1', location: 'WH1', quantity: 3 };

type Table = ProjectionSpecOutcome['table'];
const levels = (table: Table) =>
  table('stock_levels').orderBy('location').select('tenant', 'sku', 'location', 'on_hand', 'reserved', 'buffer');
const reservationStatus = (table: Table) =>
  table('reservations').where({ tenant: 'acme', sku: 'S-1', reservation_id: 'R-1' }).first('status', 'quantity');

describe('inventory-stock projection', () => {
  it('StockReceived adds to the location on hand, records the stream version, caches the view and notices it', () =>
    spec
      .given([])
      .when([received(10)])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: '10', reserved: '0', buffer: '0' },
        ]);
        expect(await table('stock_items').select('tenant', 'sku', 'version')).toEqual([
          { tenant: 'acme', sku: 'S-1', version: 1 },
        ]);
        const key = stockCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toEqual({
          tenant: 'acme',
          sku: 'S-1',
          version: 1,
          locations: [{ location: 'WH1', onHand: 10, reserved: 0, buffer: 0, available: 10 }],
          totals: { onHand: 10, reserved: 0, buffer: 0, available: 10 },
          updatedAt: '2025-01-01T00:00:00.000Z',
        });
        expect(notices).toEqual([{ context: 'inventory', tenant: 'acme', sku: 'S-1', key, version: 1 }]);
      }));

  it('StockReserved holds the quantity at the location and opens the reservation', () =>
    spec
      .given([received(10)])
      .when([reserved(3)])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: '10', reserved: '3', buffer: '0' },
        ]);
        expect(
          await table('reservations').select('sku', 'reservation_id', 'location', 'quantity', 'expires_at', 'status'),
        ).toEqual([
          {
            sku: 'S-1',
            reservation_id: 'R-1',
            location: 'WH1',
            quantity: '3',
            expires_at: new Date('2025-02-01T00:00:00.000Z'),
            status: 'open',
          },
        ]);
        const key = stockCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toMatchObject({
          version: 2,
          totals: { onHand: 10, reserved: 3, buffer: 0, available: 7 },
        });
        expect(notices).toEqual([{ context: 'inventory', tenant: 'acme', sku: 'S-1', key, version: 2 }]);
      }));

  it.each([
    [
      'ReservationReleased',
      'released',
      { type: 'verity.inventory.ReservationReleased' as const, data: reservation, ...onS1 },
      '10',
    ],
    [
      'ReservationExpired',
      'expired',
      {
        type: 'verity.inventory.ReservationExpired' as const,
        data: { ...reservation, expiresAt: '2025-02-01T00:00:00.000Z' },
        ...onS1,
      },
      '10',
    ],
    [
      'ReservationCommitted',
      'committed',
      { type: 'verity.inventory.ReservationCommitted' as const, data: reservation, ...onS1 },
      '7',
    ],
  ])('%s frees the held quantity and closes the reservation as %s', (_name, status, event, onHand) =>
    spec
      .given([received(10), reserved(3)])
      .when([event])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: onHand, reserved: '0', buffer: '0' },
        ]);
        expect(await reservationStatus(table)).toEqual({ status, quantity: '3' });
        const key = stockCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toMatchObject({
          version: 3,
          totals: { onHand: Number(onHand), reserved: 0, available: Number(onHand) },
        });
        expect(notices).toEqual([{ context: 'inventory', tenant: 'acme', sku: 'S-1', key, version: 3 }]);
      }),
  );

  it('StockAdjusted sets the location on hand to the counted quantity', () =>
    spec
      .given([received(10)])
      .when([
        {
          type: 'verity.inventory.StockAdjusted',
          data: {
            sku: 'S-1',
            location: 'WH1',
            previousOnHand: 10,
            onHand: 4,
            sourceSystem: 'netsuite',
            sourceTimestamp: null,
          },
          ...onS1,
        },
      ])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: '4', reserved: '0', buffer: '0' },
        ]);
        const key = stockCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toMatchObject({ version: 2, totals: { onHand: 4, available: 4 } });
        expect(notices).toEqual([{ context: 'inventory', tenant: 'acme', sku: 'S-1', key, version: 2 }]);
      }));

  it('StockTransferred moves on hand from one location to another', () =>
    spec
      .given([received(10)])
      .when([
        {
          type: 'verity.inventory.StockTransferred',
          data: { sku: 'S-1', from: 'WH1', to: 'WH2', quantity: 4 },
          ...onS1,
        },
      ])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: '6', reserved: '0', buffer: '0' },
          { tenant: 'acme', sku: 'S-1', location: 'WH2', on_hand: '4', reserved: '0', buffer: '0' },
        ]);
        const key = stockCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toMatchObject({ version: 2, totals: { onHand: 10, available: 10 } });
        expect(notices).toEqual([{ context: 'inventory', tenant: 'acme', sku: 'S-1', key, version: 2 }]);
      }));

  it('SafetyBufferSet sets the buffer held back from available-to-promise', () =>
    spec
      .given([received(10)])
      .when([
        {
          type: 'verity.inventory.SafetyBufferSet',
          data: { sku: 'S-1', location: 'WH1', previousBuffer: 0, buffer: 2 },
          ...onS1,
        },
      ])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: '10', reserved: '0', buffer: '2' },
        ]);
        const key = stockCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toMatchObject({ version: 2, totals: { onHand: 10, buffer: 2, available: 8 } });
        expect(notices).toEqual([{ context: 'inventory', tenant: 'acme', sku: 'S-1', key, version: 2 }]);
      }));

  it('notices a SKU once per batch, at the version the batch reached', () =>
    spec
      .given([])
      .when([received(10), reserved(3)])
      .then(async ({ notices, keyPrefix }) => {
        expect(notices).toEqual([
          {
            context: 'inventory',
            tenant: 'acme',
            sku: 'S-1',
            key: stockCacheKey(keyPrefix, 'acme', 'S-1'),
            version: 2,
          },
        ]);
      }));

  it('applies a redelivered batch once: the checkpoint in the same transaction skips it', () =>
    spec
      .given([received(10)])
      .when([received(5)], { deliveries: 2 })
      .then(async ({ db, schema, table, notices, keyPrefix }) => {
        expect(await levels(table)).toEqual([
          { tenant: 'acme', sku: 'S-1', location: 'WH1', on_hand: '15', reserved: '0', buffer: '0' },
        ]);
        expect(
          await readCheckpoints(db, schema, inventoryStockProjection.name, `${keyPrefix}.inventory.events`),
        ).toEqual(new Map([[0, '2']]));
        expect(notices).toEqual([
          {
            context: 'inventory',
            tenant: 'acme',
            sku: 'S-1',
            key: stockCacheKey(keyPrefix, 'acme', 'S-1'),
            version: 2,
          },
        ]);
      }));
});
