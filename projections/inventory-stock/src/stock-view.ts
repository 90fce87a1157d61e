import type { Knex } from 'knex';

export interface LocationStock {
  location: string;
  onHand: number;
  reserved: number;
  /** Safety buffer held back from what can be promised. */
  buffer: number;
  /** Available to promise: max(0, onHand − reserved − buffer). */
  available: number;
}

/** Stock of one SKU for one tenant, as the query API returns it. */
export interface StockView {
  tenant: string;
  sku: string;
  version: number;
  locations: LocationStock[];
  /** Sums over the locations; `available` sums each location's (never negative) available. */
  totals: { onHand: number; reserved: number; buffer: number; available: number };
  updatedAt: string;
}

/** One SKU at one location, as the location and low-stock lists return it. */
export interface StockLevelRow extends LocationStock {
  sku: string;
}

/** A page of a list ordered by its cursor; `nextCursor` is null on the last page. */
export interface StockPage {
  items: StockLevelRow[];
  nextCursor: string | null;
}

interface LevelRecord {
  sku: string;
  location: string;
  on_hand: string;
  reserved: string;
  buffer: string;
}

const AVAILABLE_SQL = 'greatest(0, on_hand - reserved - buffer)';

function toLocationStock(r: Omit<LevelRecord, 'sku'>): LocationStock {
  const onHand = Number(r.on_hand);
  const reserved = Number(r.reserved);
  const buffer = Number(r.buffer);
  return { location: r.location, onHand, reserved, buffer, available: Math.max(0, onHand - reserved - buffer) };
}

const toRow = (r: LevelRecord): StockLevelRow => ({ sku: r.sku, ...toLocationStock(r) });

/** Reads one SKU's stock from the read model; undefined when the SKU has no stock stream. */
export async function readStockView(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  sku: string,
): Promise<StockView | undefined> {
  return (await readStockViews(db, schema, tenant, [sku])).get(sku);
}

const encodeCursor = (key: string[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/** The key a cursor holds, or undefined when it is not one this module wrote with `parts` strings. */
export function decodeCursor(cursor: string, parts: number): string[] | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.length === parts && key.every((k) => typeof k === 'string') ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Every SKU stocked at a location, ordered by SKU; `after` is the decoded cursor `[sku]`. */
export async function readLocationStock(
  db: Knex,
  schema: string,
  tenant: string,
  location: string,
  page: { limit: number; after?: string[] },
): Promise<StockPage> {
  const query = db.withSchema(schema).table('stock_levels').where({ tenant, location });
  if (page.after) query.andWhere('sku', '>', page.after[0]!);
  const rows = await query
    .orderBy('sku')
    .limit(page.limit + 1)
    .select<LevelRecord[]>('sku', 'location', 'on_hand', 'reserved', 'buffer');
  const items = rows.slice(0, page.limit).map(toRow);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.sku]) : null };
}

/** SKU-locations whose available-to-promise is below `threshold`, ordered by SKU then location; `after` is `[sku, location]`. */
export async function readLowStock(
  db: Knex,
  schema: string,
  tenant: string,
  threshold: number,
  page: { limit: number; after?: string[] },
): Promise<StockPage> {
  const query = db
    .withSchema(schema)
    .table('stock_levels')
    .where({ tenant })
    .andWhereRaw(`${AVAILABLE_SQL} < ?`, [threshold]);
  if (page.after) query.andWhereRaw('(sku, location) > (?, ?)', [page.after[0]!, page.after[1]!]);
  const rows = await query
    .orderBy([{ column: 'sku' }, { column: 'location' }])
    .limit(page.limit + 1)
    .select<LevelRecord[]>('sku', 'location', 'on_hand', 'reserved', 'buffer');
  const items = rows.slice(0, page.limit).map(toRow);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.sku, last.location]) : null };
}

/** A SKU's item joined with one of its location rows; no location row: `location` is null. */
interface ViewRow extends Omit<LevelRecord, 'location'> {
  location: string | null;
  version: number;
  updated_at: Date;
}

/**
 * Stock views of many SKUs of one tenant in one query, whatever the number of SKUs: the batch a
 * GraphQL DataLoader needs, and what the projector caches. SKUs without a stock stream are absent.
 */
export async function readStockViews(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  skus: readonly string[],
): Promise<Map<string, StockView>> {
  const views = new Map<string, StockView>();
  const wanted = [...new Set(skus)];
  if (wanted.length === 0) return views;
  const { rows } = await db.raw<{ rows: ViewRow[] }>(
    `SELECT i.sku, i.version, i.updated_at, l.location, l.on_hand, l.reserved, l.buffer
       FROM ??.stock_items i
       LEFT JOIN ??.stock_levels l ON l.tenant = i.tenant AND l.sku = i.sku
      WHERE i.tenant = ? AND i.sku = ANY(?)
      ORDER BY i.sku, l.location`,
    [schema, schema, tenant, wanted],
  );
  const locationsOf = new Map<string, LocationStock[]>();
  const items: ViewRow[] = [];
  for (const row of rows) {
    let locations = locationsOf.get(row.sku);
    if (!locations) {
      locations = [];
      locationsOf.set(row.sku, locations);
      items.push(row);
    }
    if (row.location !== null) locations.push(toLocationStock({ ...row, location: row.location }));
  }
  for (const item of items) {
    const locations = locationsOf.get(item.sku) ?? [];
    const sum = (pick: (l: LocationStock) => number): number => locations.reduce((total, l) => total + pick(l), 0);
    views.set(item.sku, {
      tenant,
      sku: item.sku,
      version: item.version,
      locations,
      totals: {
        onHand: sum((l) => l.onHand),
        reserved: sum((l) => l.reserved),
        buffer: sum((l) => l.buffer),
        available: sum((l) => l.available),
      },
      updatedAt: new Date(item.updated_at).toISOString(),
    });
  }
  return views;
}
