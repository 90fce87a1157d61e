import { projectionSpec } from '@verity/events/testing';
import { inventoryStockProjection } from './projection';

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
const adjusted = (onHand: number, location = 'WH1') => ({
  type: 'verity.inventory.StockAdjusted' as const,
  data: { sku: 'S-1', location, previousOnHand: 0, onHand, sourceSystem: null, sourceTimestamp: null },
  ...onS1,
});
const transferred = (quantity: number, from: string, to: string) => ({
  type: 'verity.inventory.StockTransferred' as const,
  data: { sku: 'S-1', from, to, quantity },
  ...onS1,
});
const buffered = (buffer: number, location: string) => ({
  type: 'verity.inventory.SafetyBufferSet' as const,
  data: { sku: 'S-1', location, previousBuffer: 0, buffer },
  ...onS1,
});
const committed = (quantity: number) => ({
  type: 'verity.inventory.ReservationCommitted' as const,
  data: { sku: 'S-1', reservationId: 'R-1', location: 'WH1', quantity },
  ...onS1,
});

/**
 * Consecutive events reach the projection as one batch, folded per row into a few statements:
 * the rows must end as applying the events one by one would leave them (worked out by hand here).
 */
describe('inventory-stock projection, a batch at once', () => {
  const levels = (table: (name: string) => import('knex').Knex.QueryBuilder) =>
    table('stock_levels').orderBy('location').select('location', 'on_hand', 'reserved', 'buffer');

  it('folds receipts, a reservation, an adjustment, a transfer, a buffer and a commit on new rows', () =>
    spec
      .given([])
      .when([
        received(10),
        received(5, 'WH2'),
        reserved(3),
        adjusted(20),
        received(2),
        transferred(4, 'WH1', 'WH2'),
        buffered(1, 'WH2'),
        committed(3),
      ])
      .then(async ({ table }) => {
        expect(await levels(table)).toEqual([
          { location: 'WH1', on_hand: '15', reserved: '0', buffer: '0' },
          { location: 'WH2', on_hand: '9', reserved: '0', buffer: '1' },
        ]);
        expect(await table('stock_items').select('sku', 'version')).toEqual([{ sku: 'S-1', version: 8 }]);
        expect(await table('reservations').select('reservation_id', 'status', 'quantity')).toEqual([
          { reservation_id: 'R-1', status: 'committed', quantity: '3' },
        ]);
      }));

  it('applies sets then the deltas after them to rows that exist, and closes a reservation opened before', () =>
    spec
      .given([received(7), buffered(2, 'WH1'), reserved(3)])
      .when([received(1), adjusted(4), received(2), committed(3), buffered(5, 'WH1'), received(1)])
      .then(async ({ table }) => {
        expect(await levels(table)).toEqual([{ location: 'WH1', on_hand: '4', reserved: '0', buffer: '5' }]);
        expect(await table('stock_items').select('version')).toEqual([{ version: 9 }]);
        expect(await table('reservations').select('status')).toEqual([{ status: 'committed' }]);
      }));

  it('adds to rows the run only moves, existing or new, beside rows it sets, in one batch', () =>
    spec
      .given([received(7), reserved(3), received(4, 'WH2')])
      .when([received(1), received(2, 'WH3'), adjusted(9, 'WH2'), committed(3), transferred(2, 'WH1', 'WH3')])
      .then(async ({ table }) => {
        expect(await levels(table)).toEqual([
          { location: 'WH1', on_hand: '3', reserved: '0', buffer: '0' },
          { location: 'WH2', on_hand: '9', reserved: '0', buffer: '0' },
          { location: 'WH3', on_hand: '4', reserved: '0', buffer: '0' },
        ]);
        expect(await table('stock_items').select('version')).toEqual([{ version: 8 }]);
      }));
});
