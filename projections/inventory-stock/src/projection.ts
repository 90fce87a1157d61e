import type { Projection, ProjectedEvent } from '@verity/events';
import { stockMigrations } from './migrations';
import { cacheStockView, changesChannel, stockCacheKey } from './stock-cache';
import { readStockView } from './stock-view';

/** What a batch changed: one SKU of one tenant. */
export interface StockChange {
  tenant: string;
  sku: string;
}

async function applyStockReceived(db: Parameters<Projection['apply']>[0], event: ProjectedEvent): Promise<StockChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku, location, quantity } = event.data as { sku: string; location: string; quantity: number };
  const levels = db.db.withSchema(db.schema).table('stock_levels');
  await levels
    .insert({ tenant, sku, location, on_hand: quantity, reserved: 0, updated_at: time })
    .onConflict(['tenant', 'sku', 'location'])
    .merge({ on_hand: db.db.raw('?? + ?', ['stock_levels.on_hand', quantity]), updated_at: time });
  await db.db
    .withSchema(db.schema)
    .table('stock_items')
    .insert({ tenant, sku, version: streamVersion, updated_at: time })
    .onConflict(['tenant', 'sku'])
    .merge({ version: streamVersion, updated_at: time });
  return [{ tenant, sku }];
}

/** Stock per SKU per location, with the SKU's stream version. */
export const inventoryStockProjection: Projection<StockChange> = {
  name: 'inventory-stock',
  context: 'inventory',
  migrations: stockMigrations,
  async apply(store, event) {
    switch (event.type) {
      case 'verity.inventory.StockReceived':
        return applyStockReceived(store, event);
      default:
        return [];
    }
  },
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
