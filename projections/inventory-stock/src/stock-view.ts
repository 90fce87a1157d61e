import type { Knex } from 'knex';

export interface LocationStock {
  location: string;
  onHand: number;
  reserved: number;
  available: number;
}

/** Stock of one SKU for one tenant, as the query API returns it. */
export interface StockView {
  tenant: string;
  sku: string;
  version: number;
  locations: LocationStock[];
  totals: { onHand: number; reserved: number; available: number };
  updatedAt: string;
}

/** Reads one SKU's stock from the read model; undefined when the SKU has no stock stream. */
export async function readStockView(db: Knex | Knex.Transaction, schema: string, tenant: string, sku: string): Promise<StockView | undefined> {
  const item = await db.withSchema(schema).table('stock_items').where({ tenant, sku }).first<{ version: number; updated_at: Date } | undefined>('version', 'updated_at');
  if (!item) return undefined;
  const rows = await db
    .withSchema(schema)
    .table('stock_levels')
    .where({ tenant, sku })
    .orderBy('location')
    .select<{ location: string; on_hand: string; reserved: string }[]>('location', 'on_hand', 'reserved');
  const locations = rows.map((r) => {
    const onHand = Number(r.on_hand);
    const reserved = Number(r.reserved);
    return { location: r.location, onHand, reserved, available: Math.max(0, onHand - reserved) };
  });
  const sum = (pick: (l: LocationStock) => number): number => locations.reduce((total, l) => total + pick(l), 0);
  return {
    tenant,
    sku,
    version: item.version,
    locations,
    totals: { onHand: sum((l) => l.onHand), reserved: sum((l) => l.reserved), available: sum((l) => l.available) },
    updatedAt: new Date(item.updated_at).toISOString(),
  };
}
