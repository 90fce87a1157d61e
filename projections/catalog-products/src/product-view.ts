import type { Knex } from 'knex';

export type ProductStatus = 'active' | 'discontinued';
export const PRODUCT_STATUSES: readonly ProductStatus[] = ['active', 'discontinued'];

/** One product of one tenant, as the query API returns it. */
export interface ProductView {
  tenant: string;
  sku: string;
  name: string;
  description: string | null;
  unit: string;
  attributes: Record<string, string>;
  status: ProductStatus;
  version: number;
  updatedAt: string;
}

interface ProductRow {
  tenant: string;
  sku: string;
  name: string;
  description: string | null;
  unit: string;
  attributes: Record<string, string>;
  status: ProductStatus;
  version: number;
  updated_at: Date;
}

const COLUMNS = ['tenant', 'sku', 'name', 'description', 'unit', 'attributes', 'status', 'version', 'updated_at'];

const toView = (row: ProductRow): ProductView => ({
  tenant: row.tenant,
  sku: row.sku,
  name: row.name,
  description: row.description,
  unit: row.unit,
  attributes: row.attributes ?? {},
  status: row.status,
  version: row.version,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** One product from the read model; undefined when the tenant has no product with that SKU. */
export async function readProductView(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  sku: string,
): Promise<ProductView | undefined> {
  return (await readProductViews(db, schema, tenant, [sku])).get(sku);
}

/** Products of many SKUs of one tenant in one query, whatever the number of SKUs; SKUs without a product are absent. */
export async function readProductViews(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  skus: readonly string[],
): Promise<Map<string, ProductView>> {
  const wanted = [...new Set(skus)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .withSchema(schema)
    .table('products')
    .where({ tenant })
    .whereIn('sku', wanted)
    .select<ProductRow[]>(COLUMNS);
  return new Map(rows.map((row) => [row.sku, toView(row)]));
}

export interface ProductPageQuery {
  /** Page size. */
  limit: number;
  /** Only SKUs strictly after this one (the last SKU of the previous page). */
  after?: string;
  status?: ProductStatus;
}

/** A tenant's products ordered by SKU (byte order), one page at a time; `nextAfter` is set when more follow. */
export async function listProductViews(
  db: Knex,
  schema: string,
  tenant: string,
  query: ProductPageQuery,
): Promise<{ items: ProductView[]; nextAfter: string | null }> {
  const q = db.withSchema(schema).table('products').where({ tenant });
  if (query.status) q.andWhere({ status: query.status });
  // The sku column has collation "C" (byte order), so this walks the primary key.
  if (query.after !== undefined) q.andWhere('sku', '>', query.after);
  const rows = await q
    .orderBy('sku')
    .limit(query.limit + 1)
    .select<ProductRow[]>(COLUMNS);
  const items = rows.slice(0, query.limit).map(toView);
  return { items, nextAfter: rows.length > query.limit ? items[items.length - 1]!.sku : null };
}
