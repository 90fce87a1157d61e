import {
  publishChangeNotice,
  type Projection,
  type ProjectedEvent,
  type ProjectionStore,
  type ProjectionTransaction,
} from '@verity/events';
import { stockMigrations } from './migrations';
import { cacheStockView, stockCacheKey } from './stock-cache';
import { readStockView } from './stock-view';

/** What a batch changed: one SKU of one tenant. */
export interface StockChange {
  tenant: string;
  sku: string;
}

/** Every inventory event that changes stock; its conflict events change nothing here. */
const STOCK_EVENTS = [
  'verity.inventory.StockReceived',
  'verity.inventory.StockReserved',
  'verity.inventory.ReservationReleased',
  'verity.inventory.ReservationExpired',
  'verity.inventory.ReservationCommitted',
  'verity.inventory.StockAdjusted',
  'verity.inventory.StockTransferred',
  'verity.inventory.SafetyBufferSet',
] as const;

type StockEvent = ProjectedEvent<(typeof STOCK_EVENTS)[number]>;

/** How one event changes one location row: deltas add, sets replace. */
interface LevelChange {
  onHand?: number;
  reserved?: number;
  setOnHand?: number;
  setBuffer?: number;
}

/** A reservation opened with what it holds, or closed with how. */
type ReservationChange =
  | { reservationId: string; status: 'open'; location: string; quantity: number; expiresAt: string }
  | { reservationId: string; status: 'released' | 'committed' | 'expired' };

/** What one event does to the SKU: its location rows, in order, and its reservation if any. */
interface StockEffect {
  levels: [location: string, change: LevelChange][];
  reservation?: ReservationChange;
}

function effectOf(event: StockEvent): StockEffect {
  switch (event.type) {
    case 'verity.inventory.StockReceived':
      return { levels: [[event.data.location, { onHand: event.data.quantity }]] };
    case 'verity.inventory.StockReserved': {
      const { reservationId, location, quantity, expiresAt } = event.data;
      return {
        levels: [[location, { reserved: quantity }]],
        reservation: { reservationId, status: 'open', location, quantity, expiresAt },
      };
    }
    case 'verity.inventory.ReservationReleased':
      return {
        levels: [[event.data.location, { reserved: -event.data.quantity }]],
        reservation: { reservationId: event.data.reservationId, status: 'released' },
      };
    case 'verity.inventory.ReservationExpired':
      return {
        levels: [[event.data.location, { reserved: -event.data.quantity }]],
        reservation: { reservationId: event.data.reservationId, status: 'expired' },
      };
    case 'verity.inventory.ReservationCommitted': {
      const { reservationId, location, quantity } = event.data;
      return {
        levels: [[location, { onHand: -quantity, reserved: -quantity }]],
        reservation: { reservationId, status: 'committed' },
      };
    }
    case 'verity.inventory.StockAdjusted':
      return { levels: [[event.data.location, { setOnHand: event.data.onHand }]] };
    case 'verity.inventory.StockTransferred': {
      const { from, to, quantity } = event.data;
      return {
        levels: [
          [from, { onHand: -quantity }],
          [to, { onHand: quantity }],
        ],
      };
    }
    case 'verity.inventory.SafetyBufferSet':
      return { levels: [[event.data.location, { setBuffer: event.data.buffer }]] };
  }
}

async function changeLevel(
  store: ProjectionStore,
  tenant: string,
  sku: string,
  location: string,
  time: string,
  change: LevelChange,
): Promise<void> {
  const add = (column: string, delta: number) => store.db.raw('?? + ?', [`stock_levels.${column}`, delta]);
  const merge = {
    updated_at: time,
    ...(change.setOnHand !== undefined
      ? { on_hand: change.setOnHand }
      : change.onHand
        ? { on_hand: add('on_hand', change.onHand) }
        : {}),
    ...(change.reserved ? { reserved: add('reserved', change.reserved) } : {}),
    ...(change.setBuffer !== undefined ? { buffer: change.setBuffer } : {}),
  };
  await store.db
    .withSchema(store.schema)
    .table('stock_levels')
    .insert({
      tenant,
      sku,
      location,
      on_hand: change.setOnHand ?? change.onHand ?? 0,
      reserved: change.reserved ?? 0,
      buffer: change.setBuffer ?? 0,
      updated_at: time,
    })
    .onConflict(['tenant', 'sku', 'location'])
    .merge(merge);
}

async function setReservation(
  store: ProjectionStore,
  tenant: string,
  sku: string,
  time: string,
  change: ReservationChange,
): Promise<void> {
  const table = store.db.withSchema(store.schema).table('reservations');
  if (change.status === 'open') {
    await table.insert({
      tenant,
      sku,
      reservation_id: change.reservationId,
      location: change.location,
      quantity: change.quantity,
      expires_at: change.expiresAt,
      status: 'open',
      updated_at: time,
    });
  } else {
    await table
      .where({ tenant, sku, reservation_id: change.reservationId })
      .update({ status: change.status, updated_at: time });
  }
}

async function touchItem(
  store: ProjectionStore,
  tenant: string,
  sku: string,
  version: number,
  time: string,
): Promise<void> {
  await store.db
    .withSchema(store.schema)
    .table('stock_items')
    .insert({ tenant, sku, version, updated_at: time })
    .onConflict(['tenant', 'sku'])
    .merge({ version, updated_at: time });
}

async function applyEvent(store: ProjectionTransaction, event: StockEvent): Promise<StockChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku } = event.data;
  const { levels, reservation } = effectOf(event);
  for (const [location, change] of levels) await changeLevel(store, tenant, sku, location, time, change);
  if (reservation) await setReservation(store, tenant, sku, time, reservation);
  await touchItem(store, tenant, sku, streamVersion, time);
  return [{ tenant, sku }];
}

/** Stock per SKU per location (on hand, reserved, safety buffer), reservations, and the SKU's stream version. */
export const inventoryStockProjection: Projection<StockEvent['type'], StockChange> = {
  name: 'inventory-stock',
  contexts: ['inventory'],
  events: STOCK_EVENTS,
  migrations: stockMigrations,
  apply: applyEvent,
  async publish(store, cache, changes) {
    const unique = [...new Map(changes.map((c) => [`${c.tenant}/${c.sku}`, c])).values()];
    for (const { tenant, sku } of unique) {
      const view = await readStockView(store.db, store.schema, tenant, sku);
      if (!view) continue;
      await cacheStockView(cache.redis, cache.keyPrefix, view);
      await publishChangeNotice(cache.redis, cache.keyPrefix, {
        context: 'inventory',
        tenant,
        sku,
        key: stockCacheKey(cache.keyPrefix, tenant, sku),
        version: view.version,
      });
    }
  },
};
