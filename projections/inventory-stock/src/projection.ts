import type { Projection, ProjectedEvent, ProjectionStore } from '@verity/events';
import { stockMigrations } from './migrations';
import { cacheStockView, changesChannel, stockCacheKey } from './stock-cache';
import { readStockView } from './stock-view';

/** What a batch changed: one SKU of one tenant. */
export interface StockChange {
  tenant: string;
  sku: string;
}

/** How one event changes one location row: deltas add, sets replace. */
interface LevelChange {
  onHand?: number;
  reserved?: number;
  setOnHand?: number;
  setBuffer?: number;
}

type ReservationStatus = 'open' | 'released' | 'committed' | 'expired';

async function changeLevel(store: ProjectionStore, tenant: string, sku: string, location: string, time: string, change: LevelChange): Promise<void> {
  const raw = (sql: string, bindings: (string | number)[]) => store.db.raw(sql, bindings);
  const merge: Record<string, unknown> = { updated_at: time };
  if (change.setOnHand !== undefined) merge.on_hand = change.setOnHand;
  else if (change.onHand) merge.on_hand = raw('?? + ?', ['stock_levels.on_hand', change.onHand]);
  if (change.reserved) merge.reserved = raw('?? + ?', ['stock_levels.reserved', change.reserved]);
  if (change.setBuffer !== undefined) merge.buffer = change.setBuffer;
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
  reservationId: string,
  time: string,
  row: { location: string; quantity: number; expiresAt?: string; status: ReservationStatus },
): Promise<void> {
  const table = store.db.withSchema(store.schema).table('reservations');
  if (row.status === 'open') {
    await table.insert({
      tenant,
      sku,
      reservation_id: reservationId,
      location: row.location,
      quantity: row.quantity,
      expires_at: row.expiresAt,
      status: 'open',
      updated_at: time,
    });
  } else {
    await table.where({ tenant, sku, reservation_id: reservationId }).update({ status: row.status, updated_at: time });
  }
}

async function touchItem(store: ProjectionStore, tenant: string, sku: string, version: number, time: string): Promise<void> {
  await store.db
    .withSchema(store.schema)
    .table('stock_items')
    .insert({ tenant, sku, version, updated_at: time })
    .onConflict(['tenant', 'sku'])
    .merge({ version, updated_at: time });
}

async function applyEvent(store: ProjectionStore, event: ProjectedEvent): Promise<StockChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const data = event.data as Record<string, string | number> & { sku: string };
  const { sku } = data;
  const level = (location: unknown, change: LevelChange) => changeLevel(store, tenant, sku, String(location), time, change);
  const reservation = (status: ReservationStatus) =>
    setReservation(store, tenant, sku, String(data.reservationId), time, {
      location: String(data.location),
      quantity: Number(data.quantity),
      expiresAt: data.expiresAt === undefined ? undefined : String(data.expiresAt),
      status,
    });
  const quantity = Number(data.quantity);
  switch (event.type) {
    case 'verity.inventory.StockReceived':
      await level(data.location, { onHand: quantity });
      break;
    case 'verity.inventory.StockReserved':
      await level(data.location, { reserved: quantity });
      await reservation('open');
      break;
    case 'verity.inventory.ReservationReleased':
      await level(data.location, { reserved: -quantity });
      await reservation('released');
      break;
    case 'verity.inventory.ReservationExpired':
      await level(data.location, { reserved: -quantity });
      await reservation('expired');
      break;
    case 'verity.inventory.ReservationCommitted':
      await level(data.location, { onHand: -quantity, reserved: -quantity });
      await reservation('committed');
      break;
    case 'verity.inventory.StockAdjusted':
      await level(data.location, { setOnHand: Number(data.onHand) });
      break;
    case 'verity.inventory.StockTransferred':
      await level(data.from, { onHand: -quantity });
      await level(data.to, { onHand: quantity });
      break;
    case 'verity.inventory.SafetyBufferSet':
      await level(data.location, { setBuffer: Number(data.buffer) });
      break;
    default:
      return [];
  }
  await touchItem(store, tenant, sku, streamVersion, time);
  return [{ tenant, sku }];
}

/** Stock per SKU per location (on hand, reserved, safety buffer), reservations, and the SKU's stream version. */
export const inventoryStockProjection: Projection<StockChange> = {
  name: 'inventory-stock',
  contexts: ['inventory'],
  migrations: stockMigrations,
  apply: applyEvent,
  async publish(store, cache, changes) {
    const unique = [...new Map(changes.map((c) => [`${c.tenant}/${c.sku}`, c])).values()];
    for (const { tenant, sku } of unique) {
      const view = await readStockView(store.db, store.schema, tenant, sku);
      if (!view) continue;
      await cacheStockView(cache.redis, cache.keyPrefix, view);
      await cache.redis.publish(
        changesChannel(cache.keyPrefix),
        JSON.stringify({ context: 'inventory', tenant, sku, key: stockCacheKey(cache.keyPrefix, tenant, sku), version: view.version }),
      );
    }
  },
};
