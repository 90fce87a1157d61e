import { inventoryDecider } from './decider';
import type { InventoryEvent } from './events';
import { expiryTimer, nextExpiry } from './expiry-timer';

const SKU = 'SKU-1';
const received = (location: string, quantity: number): InventoryEvent => ({
  type: 'StockReceived',
  data: { sku: SKU, location, quantity },
});
const reserved = (reservationId: string, location: string, expiresAt: string): InventoryEvent => ({
  type: 'StockReserved',
  data: { sku: SKU, location, reservationId, quantity: 1, expiresAt },
});
const stateAfter = (events: InventoryEvent[]) =>
  events.reduce(inventoryDecider.evolve, inventoryDecider.initialState());
const expireAt = (now: Date, events: InventoryEvent[]) =>
  inventoryDecider.decide(
    {
      type: 'ExpireReservations',
      data: expiryTimer.payload(SKU, stateAfter(events)) as { sku: string },
      metadata: { tenant: 'acme', now },
    },
    stateAfter(events),
  );

describe('inventory expiry timer', () => {
  const stocked = [received('berlin', 10), received('paris', 10)];

  it('has nothing to time without open reservations', () => {
    expect(nextExpiry(inventoryDecider.initialState())).toBeNull();
    expect(nextExpiry(stateAfter(stocked))).toBeNull();
  });

  it('is due at the earliest expiresAt of the open reservations at any location', () => {
    const events = [
      ...stocked,
      reserved('late', 'berlin', '2026-11-23T12:00:00.000Z'),
      reserved('early', 'paris', '2026-11-23T11:00:00.000Z'),
    ];
    expect(nextExpiry(stateAfter(events))).toEqual(new Date('2026-11-23T11:00:00.000Z'));
  });

  it('leaves closed reservations out', () => {
    const events: InventoryEvent[] = [
      ...stocked,
      reserved('gone', 'berlin', '2026-11-23T11:00:00.000Z'),
      { type: 'ReservationReleased', data: { sku: SKU, location: 'berlin', reservationId: 'gone', quantity: 1 } },
      reserved('open', 'berlin', '2026-11-23T12:00:00.000Z'),
    ];
    expect(nextExpiry(stateAfter(events))).toEqual(new Date('2026-11-23T12:00:00.000Z'));
  });

  it('is due exactly when the decider expires something: at dueAt one reservation goes, a millisecond before none does', () => {
    const events = [
      ...stocked,
      reserved('early', 'paris', '2026-11-23T11:00:00.000Z'),
      reserved('late', 'berlin', '2026-11-23T12:00:00.000Z'),
    ];
    const dueAt = nextExpiry(stateAfter(events))!;
    expect(expireAt(new Date(dueAt.getTime() - 1), events)).toEqual([]);
    expect(expireAt(dueAt, events).map((e) => e.type === 'ReservationExpired' && e.data.reservationId)).toEqual([
      'early',
    ]);
  });

  it('sends ExpireReservations for the SKU of the stream', () => {
    expect(expiryTimer.command).toBe('ExpireReservations');
    expect(expiryTimer.payload(SKU, stateAfter(stocked))).toEqual({ sku: SKU });
  });
});
