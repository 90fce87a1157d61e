import { deciderSpec } from '@verity/core';
import { conflictIdOf } from '../conflict-id';
import { availableToPromise, CLOSED_KEPT, inventoryDecider, type StockState } from './decider';
import type { InventoryCommand } from './commands';
import type { InventoryEvent } from './events';

const spec = deciderSpec(inventoryDecider);
const metadata = { tenant: 'acme', now: new Date('2026-11-23T10:00:00Z'), commandId: 'cmd-1' };
/** A command without a source came through the API when it arrived. */
const api = { sourceSystem: 'api', sourceTimestamp: '2026-11-23T10:00:00.000Z' };
const SKU = 'SKU-1';
const LATER = '2026-11-23T11:00:00.000Z';
const receive = (location: string, quantity: number): InventoryCommand => ({
  type: 'ReceiveStock',
  data: { sku: SKU, location, quantity },
  metadata,
});
const command = <T extends InventoryCommand['type']>(
  type: T,
  data: Omit<Extract<InventoryCommand, { type: T }>['data'], 'sku'>,
  now = metadata.now,
): InventoryCommand => ({ type, data: { sku: SKU, ...data }, metadata: { ...metadata, now } }) as InventoryCommand;

const received = (location: string, quantity: number): InventoryEvent => ({
  type: 'StockReceived',
  data: { sku: SKU, location, quantity },
});
const reserved = (reservationId: string, location: string, quantity: number, expiresAt = LATER): InventoryEvent => ({
  type: 'StockReserved',
  data: { sku: SKU, location, reservationId, quantity, expiresAt },
});
const bufferSet = (location: string, buffer: number, previousBuffer = 0): InventoryEvent => ({
  type: 'SafetyBufferSet',
  data: { sku: SKU, location, previousBuffer, buffer },
});
const stateAfter = (events: InventoryEvent[]) =>
  events.reduce(inventoryDecider.evolve, inventoryDecider.initialState());

describe('inventory decider', () => {
  describe('ReceiveStock', () => {
    it('receiving stock into an empty stream emits StockReceived', () => {
      spec
        .given([])
        .when(receive('berlin', 5))
        .then([{ type: 'StockReceived', data: { sku: 'SKU-1', location: 'berlin', quantity: 5 } }]);
    });

    it('receiving again adds to what is on hand', () => {
      const past = [{ type: 'StockReceived' as const, data: { sku: 'SKU-1', location: 'berlin', quantity: 5 } }];
      spec
        .given(past)
        .when(receive('berlin', 3))
        .then([{ type: 'StockReceived', data: { sku: 'SKU-1', location: 'berlin', quantity: 3 } }]);
      const state = [...past, ...past].reduce(inventoryDecider.evolve, inventoryDecider.initialState());
      expect(state.locations).toEqual({ berlin: { onHand: 10, buffer: 0, reservations: {}, counted: null } });
    });

    it.each([0, -4, 2.5])('rejects quantity %p', (quantity) => {
      spec.given([]).when(receive('berlin', quantity)).thenRejects('invalid_quantity', { quantity });
    });

    it('rejects a command for another SKU on this stream', () => {
      const past = [{ type: 'StockReceived' as const, data: { sku: 'SKU-2', location: 'berlin', quantity: 1 } }];
      spec.given(past).when(receive('berlin', 1)).thenRejects('wrong_stream');
    });
  });

  describe('available to promise = onHand − reserved − buffer, never negative', () => {
    it('subtracts reservations and the buffer per location', () => {
      const state = stateAfter([
        received('berlin', 10),
        received('paris', 4),
        reserved('r1', 'berlin', 3),
        bufferSet('berlin', 2),
      ]);
      expect(availableToPromise(state, 'berlin')).toBe(5);
      expect(availableToPromise(state, 'paris')).toBe(4);
      expect(availableToPromise(state, 'nowhere')).toBe(0);
    });

    it('is zero, not negative, when the buffer exceeds what is left', () => {
      expect(
        availableToPromise(
          stateAfter([received('berlin', 3), reserved('r1', 'berlin', 2), bufferSet('berlin', 5)]),
          'berlin',
        ),
      ).toBe(0);
    });

    it('reads snapshots written before reservations existed ({ onHand } only)', () => {
      const old = { sku: SKU, locations: { berlin: { onHand: 7 } } };
      expect(availableToPromise(old, 'berlin')).toBe(7);
      expect(
        inventoryDecider.decide(
          command('ReserveStock', { location: 'berlin', quantity: 7, reservationId: 'r1', expiresAt: LATER }),
          old,
        ),
      ).toHaveLength(1);
    });
  });

  describe('ReserveStock', () => {
    const reserve = (quantity: number, reservationId = 'r1', location = 'berlin', expiresAt = LATER) =>
      command('ReserveStock', { location, quantity, reservationId, expiresAt });

    it('reserves up to what is available to promise', () => {
      spec
        .given([received('berlin', 10), bufferSet('berlin', 2)])
        .when(reserve(8))
        .then([reserved('r1', 'berlin', 8)]);
    });

    it('beyond available to promise is insufficient_stock with what is available', () => {
      spec
        .given([received('berlin', 10), reserved('r0', 'berlin', 4), bufferSet('berlin', 2)])
        .when(reserve(5))
        .thenRejects('insufficient_stock', { available: 4 });
    });

    it('at a location without stock is insufficient_stock with 0 available', () => {
      spec
        .given([received('berlin', 10)])
        .when(reserve(1, 'r1', 'paris'))
        .thenRejects('insufficient_stock', { available: 0 });
    });

    it('a reservationId already open is reservation_exists', () => {
      spec
        .given([received('berlin', 10), reserved('r1', 'berlin', 1)])
        .when(reserve(1))
        .thenRejects('reservation_exists', { reservationId: 'r1' });
    });

    it('a reservationId already closed is reservation_exists too', () => {
      const released: InventoryEvent = {
        type: 'ReservationReleased',
        data: { sku: SKU, reservationId: 'r1', location: 'berlin', quantity: 1 },
      };
      spec
        .given([received('berlin', 10), reserved('r1', 'berlin', 1), released])
        .when(reserve(1))
        .thenRejects('reservation_exists', { reservationId: 'r1' });
    });

    it.each([0, -1, 1.5])('rejects quantity %p', (quantity) => {
      spec
        .given([received('berlin', 10)])
        .when(reserve(quantity))
        .thenRejects('invalid_quantity', { quantity });
    });

    it.each(['2026-11-23T10:00:00.000Z', '2026-11-23T09:00:00.000Z'])(
      'an expiresAt not after the command time (%s) is invalid_expiry',
      (expiresAt) => {
        spec
          .given([received('berlin', 10)])
          .when(reserve(1, 'r1', 'berlin', expiresAt))
          .thenRejects('invalid_expiry', { expiresAt, now: '2026-11-23T10:00:00.000Z' });
      },
    );
  });

  describe('ReleaseReservation and CommitReservation', () => {
    const past = [received('berlin', 10), reserved('r1', 'berlin', 4)];

    it('release emits ReservationReleased with the location and quantity, and frees the units', () => {
      const event: InventoryEvent = {
        type: 'ReservationReleased',
        data: { sku: SKU, reservationId: 'r1', location: 'berlin', quantity: 4 },
      };
      spec
        .given(past)
        .when(command('ReleaseReservation', { reservationId: 'r1' }))
        .then([event]);
      const state = stateAfter([...past, event]);
      expect(state.locations.berlin).toEqual({ onHand: 10, buffer: 0, reservations: {}, counted: null });
      expect(availableToPromise(state, 'berlin')).toBe(10);
    });

    it('commit emits ReservationCommitted: on hand and reserved both drop', () => {
      const event: InventoryEvent = {
        type: 'ReservationCommitted',
        data: { sku: SKU, reservationId: 'r1', location: 'berlin', quantity: 4 },
      };
      spec
        .given(past)
        .when(command('CommitReservation', { reservationId: 'r1' }))
        .then([event]);
      const state = stateAfter([...past, event]);
      expect(state.locations.berlin).toEqual({ onHand: 6, buffer: 0, reservations: {}, counted: null });
      expect(availableToPromise(state, 'berlin')).toBe(6);
    });

    it.each(['ReleaseReservation', 'CommitReservation'] as const)(
      '%s of an unknown reservation is unknown_reservation',
      (type) => {
        spec
          .given(past)
          .when(command(type, { reservationId: 'nope' }))
          .thenRejects('unknown_reservation', { reservationId: 'nope' });
      },
    );

    it.each(['ReleaseReservation', 'CommitReservation'] as const)(
      '%s of an already closed reservation is unknown_reservation',
      (type) => {
        const committed: InventoryEvent = {
          type: 'ReservationCommitted',
          data: { sku: SKU, reservationId: 'r1', location: 'berlin', quantity: 4 },
        };
        spec
          .given([...past, committed])
          .when(command(type, { reservationId: 'r1' }))
          .thenRejects('unknown_reservation', { reservationId: 'r1', reservationStatus: 'committed' });
      },
    );
  });

  describe('AdjustStock', () => {
    it('sets the absolute count, with the previous one', () => {
      spec
        .given([received('berlin', 10)])
        .when(command('AdjustStock', { location: 'berlin', onHand: 7 }))
        .then([
          { type: 'StockAdjusted', data: { sku: SKU, location: 'berlin', previousOnHand: 10, onHand: 7, ...api } },
        ]);
      expect(
        stateAfter([
          received('berlin', 10),
          { type: 'StockAdjusted', data: { sku: SKU, location: 'berlin', previousOnHand: 10, onHand: 7, ...api } },
        ]).locations.berlin?.onHand,
      ).toBe(7);
    });

    it('to zero is allowed when nothing is reserved', () => {
      spec
        .given([received('berlin', 10)])
        .when(command('AdjustStock', { location: 'berlin', onHand: 0 }))
        .then([
          { type: 'StockAdjusted', data: { sku: SKU, location: 'berlin', previousOnHand: 10, onHand: 0, ...api } },
        ]);
    });

    it('an unchanged count emits nothing', () => {
      spec
        .given([received('berlin', 10)])
        .when(command('AdjustStock', { location: 'berlin', onHand: 10 }))
        .then([]);
    });

    it('below what is reserved at the location is below_reserved', () => {
      spec
        .given([received('berlin', 10), reserved('r1', 'berlin', 6)])
        .when(command('AdjustStock', { location: 'berlin', onHand: 5 }))
        .thenRejects('below_reserved', { reserved: 6 });
    });

    it.each([-1, 2.5])('rejects onHand %p', (onHand) => {
      spec
        .given([received('berlin', 10)])
        .when(command('AdjustStock', { location: 'berlin', onHand }))
        .thenRejects('invalid_quantity', { onHand });
    });
  });

  describe('TransferStock', () => {
    it('moves units between locations', () => {
      const event: InventoryEvent = {
        type: 'StockTransferred',
        data: { sku: SKU, from: 'berlin', to: 'paris', quantity: 4 },
      };
      spec
        .given([received('berlin', 10)])
        .when(command('TransferStock', { from: 'berlin', to: 'paris', quantity: 4 }))
        .then([event]);
      const state = stateAfter([received('berlin', 10), event]);
      expect([state.locations.berlin?.onHand, state.locations.paris?.onHand]).toEqual([6, 4]);
    });

    it('beyond available to promise at the source is insufficient_stock', () => {
      spec
        .given([received('berlin', 10), reserved('r1', 'berlin', 5), bufferSet('berlin', 1)])
        .when(command('TransferStock', { from: 'berlin', to: 'paris', quantity: 5 }))
        .thenRejects('insufficient_stock', { available: 4 });
    });

    it('to the same location is same_location', () => {
      spec
        .given([received('berlin', 10)])
        .when(command('TransferStock', { from: 'berlin', to: 'berlin', quantity: 1 }))
        .thenRejects('same_location', { location: 'berlin' });
    });

    it.each([0, -2, 0.5])('rejects quantity %p', (quantity) => {
      spec
        .given([received('berlin', 10)])
        .when(command('TransferStock', { from: 'berlin', to: 'paris', quantity }))
        .thenRejects('invalid_quantity', { quantity });
    });
  });

  describe('SetSafetyBuffer', () => {
    it('sets the buffer, with the previous one', () => {
      spec
        .given([received('berlin', 10), bufferSet('berlin', 2)])
        .when(command('SetSafetyBuffer', { location: 'berlin', buffer: 3 }))
        .then([bufferSet('berlin', 3, 2)]);
    });

    it.each([-1, 1.5])('rejects buffer %p', (buffer) => {
      spec
        .given([received('berlin', 10)])
        .when(command('SetSafetyBuffer', { location: 'berlin', buffer }))
        .thenRejects('invalid_buffer', { buffer });
    });
  });

  describe('ExpireReservations (time from the command metadata)', () => {
    const past = [
      received('berlin', 10),
      received('paris', 10),
      reserved('late', 'berlin', 1, '2026-11-23T12:00:00.000Z'),
      reserved('b', 'paris', 2, '2026-11-23T09:30:00.000Z'),
      reserved('a', 'berlin', 3, '2026-11-23T09:30:00.000Z'),
      reserved('exact', 'berlin', 1, '2026-11-23T10:00:00.000Z'),
    ];

    it('expires every open reservation with expiresAt <= now, oldest first', () => {
      spec
        .given(past)
        .when(command('ExpireReservations', {}))
        .then([
          {
            type: 'ReservationExpired',
            data: {
              sku: SKU,
              reservationId: 'a',
              location: 'berlin',
              quantity: 3,
              expiresAt: '2026-11-23T09:30:00.000Z',
            },
          },
          {
            type: 'ReservationExpired',
            data: {
              sku: SKU,
              reservationId: 'b',
              location: 'paris',
              quantity: 2,
              expiresAt: '2026-11-23T09:30:00.000Z',
            },
          },
          {
            type: 'ReservationExpired',
            data: {
              sku: SKU,
              reservationId: 'exact',
              location: 'berlin',
              quantity: 1,
              expiresAt: '2026-11-23T10:00:00.000Z',
            },
          },
        ]);
    });

    it('emits nothing when none is due', () => {
      spec
        .given(past)
        .when(command('ExpireReservations', {}, new Date('2026-11-23T09:00:00Z')))
        .then([]);
      spec.given([]).when(command('ExpireReservations', {})).then([]);
    });

    it('an expired reservation frees its units and cannot be released afterwards', () => {
      const expired: InventoryEvent = {
        type: 'ReservationExpired',
        data: { sku: SKU, reservationId: 'a', location: 'berlin', quantity: 3, expiresAt: '2026-11-23T09:30:00.000Z' },
      };
      expect(availableToPromise(stateAfter([...past, expired]), 'berlin')).toBe(8);
      spec
        .given([...past, expired])
        .when(command('ReleaseReservation', { reservationId: 'a' }))
        .thenRejects('unknown_reservation', { reservationId: 'a', reservationStatus: 'expired' });
    });
  });
});

describe('inventory decider: discontinued products (the catalog status the processor hands over)', () => {
  const withProduct = (cmd: InventoryCommand, status: 'active' | 'discontinued' | null): InventoryCommand => ({
    ...cmd,
    references: { product: status === null ? null : { status } },
  });
  const reserve = command('ReserveStock', { location: 'berlin', quantity: 2, reservationId: 'r1', expiresAt: LATER });

  it('a discontinued product refuses new stock receipts', () => {
    spec
      .given([])
      .when(withProduct(receive('berlin', 5), 'discontinued'))
      .thenRejects('product_discontinued', { sku: SKU });
  });

  it('a discontinued product refuses new reservations', () => {
    spec
      .given([received('berlin', 5)])
      .when(withProduct(reserve, 'discontinued'))
      .thenRejects('product_discontinued', { sku: SKU });
  });

  it('an active product, or a SKU the catalog does not know, is stocked', () => {
    spec
      .given([])
      .when(withProduct(receive('berlin', 5), 'active'))
      .then([received('berlin', 5)]);
    spec
      .given([])
      .when(withProduct(receive('berlin', 5), null))
      .then([received('berlin', 5)]);
  });

  it('stock already there can still be counted, moved and its reservations closed', () => {
    const past = [received('berlin', 5), reserved('r1', 'berlin', 2)];
    spec
      .given(past)
      .when(withProduct(command('CommitReservation', { reservationId: 'r1' }), 'discontinued'))
      .then([
        { type: 'ReservationCommitted', data: { sku: SKU, reservationId: 'r1', location: 'berlin', quantity: 2 } },
      ]);
    spec
      .given(past)
      .when(withProduct(command('TransferStock', { from: 'berlin', to: 'paris', quantity: 3 }), 'discontinued'))
      .then([{ type: 'StockTransferred', data: { sku: SKU, from: 'berlin', to: 'paris', quantity: 3 } }]);
  });
});

describe('inventory decider: conflicts between source systems over on-hand counts', () => {
  const erpOwnsOnHand = { 'inventory.onHand': ['erp-db'] };
  const count = (
    system: string,
    at: string,
    onHand: number,
    rules: Record<string, string[]> | null = null,
    commandId = 'cmd-7',
  ): InventoryCommand => ({
    type: 'AdjustStock',
    data: { sku: SKU, location: 'berlin', onHand },
    metadata: { ...metadata, commandId, source: { system, at: new Date(at) } },
    references: { authority: rules },
  });
  const counted = (
    onHand: number,
    previousOnHand: number,
    sourceSystem: string,
    sourceTimestamp: string,
  ): InventoryEvent => ({
    type: 'StockAdjusted',
    data: { sku: SKU, location: 'berlin', previousOnHand, onHand, sourceSystem, sourceTimestamp },
  });
  const conflictId = conflictIdOf('acme', 'cmd-7', 'inventory.onHand', 'berlin');
  const refused: InventoryEvent = {
    type: 'ConflictDetected',
    data: {
      conflictId,
      sku: SKU,
      location: 'berlin',
      field: 'inventory.onHand',
      currentValue: '10',
      currentSourceSystem: 'erp-db',
      currentSourceTimestamp: '2026-11-23T09:00:00.000Z',
      incomingValue: '4',
      incomingSourceSystem: 'shopify',
      incomingSourceTimestamp: '2026-11-23T09:30:00.000Z',
      rule: 'not_owner',
      owners: ['erp-db'],
    },
  };
  const resolve = (accept: 'current' | 'incoming', id = conflictId): InventoryCommand => ({
    type: 'ResolveConflict',
    data: { sku: SKU, conflictId: id, accept },
    metadata,
  });

  it('a count from a source that does not own on-hand is recorded as a conflict with both counts and the rule', () => {
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z')])
      .when(count('shopify', '2026-11-23T09:30:00Z', 4, erpOwnsOnHand))
      .then([refused]);
  });

  it('the owner sets the count, with its source', () => {
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z')])
      .when(count('erp-db', '2026-11-23T09:30:00Z', 12, erpOwnsOnHand))
      .then([counted(12, 10, 'erp-db', '2026-11-23T09:30:00.000Z')]);
  });

  it("a count older than the location's last applied count is a conflict (older_than_applied)", () => {
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z')])
      .when(count('erp-db', '2026-11-23T08:59:00Z', 3))
      .then([
        {
          type: 'ConflictDetected',
          data: {
            ...refused.data,
            incomingValue: '3',
            incomingSourceSystem: 'erp-db',
            incomingSourceTimestamp: '2026-11-23T08:59:00.000Z',
            rule: 'older_than_applied',
            owners: [],
          },
        },
      ]);
  });

  it('receipts move stock without claiming a count: they are not governed', () => {
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z')])
      .when({ ...receive('berlin', 2), references: { authority: erpOwnsOnHand } })
      .then([received('berlin', 2)]);
  });

  it('ResolveConflict accepting incoming sets the refused count with its own source and time', () => {
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z'), refused])
      .when(resolve('incoming'))
      .then([
        {
          type: 'ConflictResolved',
          data: { conflictId, sku: SKU, location: 'berlin', field: 'inventory.onHand', accepted: 'incoming' },
        },
        counted(4, 10, 'shopify', '2026-11-23T09:30:00.000Z'),
      ]);
  });

  it('ResolveConflict accepting current keeps the count; a resolved conflict cannot be resolved again', () => {
    const resolved: InventoryEvent = {
      type: 'ConflictResolved',
      data: { conflictId, sku: SKU, location: 'berlin', field: 'inventory.onHand', accepted: 'current' },
    };
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z'), refused])
      .when(resolve('current'))
      .then([resolved]);
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z'), refused, resolved])
      .when(resolve('incoming'))
      .thenRejects('conflict_not_found', { conflictId });
  });

  it('accepting an incoming count below what is now reserved is below_reserved', () => {
    spec
      .given([counted(10, 0, 'erp-db', '2026-11-23T09:00:00.000Z'), refused, reserved('r1', 'berlin', 6)])
      .when(resolve('incoming'))
      .thenRejects('below_reserved', { reserved: 6 });
  });
});

describe('inventory decider: closed reservation ids are remembered, boundedly', () => {
  const released = (reservationId: string): InventoryEvent => ({
    type: 'ReservationReleased',
    data: { sku: SKU, reservationId, location: 'berlin', quantity: 1 },
  });
  const reserveAgain = (reservationId: string) =>
    command('ReserveStock', { location: 'berlin', quantity: 1, reservationId, expiresAt: LATER });

  it(`keeps the last ${CLOSED_KEPT} closed ids: an id among them cannot be reserved again, an older one can`, () => {
    const history: InventoryEvent[] = [received('berlin', 10)];
    for (let i = 0; i <= CLOSED_KEPT; i += 1) history.push(reserved(`r${i}`, 'berlin', 1), released(`r${i}`));
    const state = stateAfter(history);
    expect(state.recentlyClosed).toHaveLength(CLOSED_KEPT);
    spec
      .given(history)
      .when(reserveAgain(`r${CLOSED_KEPT}`))
      .thenRejects('reservation_exists', { reservationId: `r${CLOSED_KEPT}` });
    spec.given(history).when(reserveAgain('r1')).thenRejects('reservation_exists', { reservationId: 'r1' });
    spec
      .given(history)
      .when(reserveAgain('r0'))
      .then([
        {
          type: 'StockReserved',
          data: { sku: SKU, location: 'berlin', reservationId: 'r0', quantity: 1, expiresAt: LATER },
        },
      ]);
  });

  it('a snapshot from before keeps its closed ids readable', () => {
    const legacy: StockState = {
      sku: SKU,
      locations: { berlin: { onHand: 5 } },
      closedReservations: { old: 'committed' },
    };
    expect(() => inventoryDecider.decide(reserveAgain('old'), legacy)).toThrow(/already exists/);
    expect(() => inventoryDecider.decide(command('ReleaseReservation', { reservationId: 'old' }), legacy)).toThrow(
      /already committed/,
    );
  });
});
