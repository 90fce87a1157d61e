import type { Knex } from 'knex';

/** One rule of a price list as the query API returns it; money in integer minor units. */
export interface PriceRuleView {
  kind: 'base' | 'customer' | 'tiers';
  sku: string;
  customerId: string | null;
  unitPrice: number | null;
  tiers: { minQuantity: number; unitPrice: number }[] | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** Stream version of the event that set the rule. */
  version: number;
}

export interface PriceListView {
  tenant: string;
  priceListId: string;
  name: string;
  currency: string;
  version: number;
  updatedAt: string;
  rules: PriceRuleView[];
}

/** What a quote for one SKU of one list needs: the list's currency and version and the SKU's rules. Cached per (tenant, list, SKU). */
export interface SkuRules {
  tenant: string;
  priceListId: string;
  sku: string;
  currency: string;
  version: number;
  rules: PriceRuleView[];
}

interface ListRow {
  tenant: string;
  price_list_id: string;
  name: string;
  currency: string;
  version: number;
  updated_at: Date;
}
interface RuleRow {
  kind: PriceRuleView['kind'];
  sku: string;
  customer_id: string | null;
  unit_price: string | number | null;
  tiers: { minQuantity: number; unitPrice: number }[] | null;
  effective_from: Date;
  effective_to: Date | null;
  version: number;
}

const RULE_COLUMNS = ['kind', 'sku', 'customer_id', 'unit_price', 'tiers', 'effective_from', 'effective_to', 'version'];

const toRule = (row: RuleRow): PriceRuleView => ({
  kind: row.kind,
  sku: row.sku,
  customerId: row.customer_id,
  unitPrice: row.unit_price === null ? null : Number(row.unit_price),
  tiers: row.tiers,
  effectiveFrom: new Date(row.effective_from).toISOString(),
  effectiveTo: row.effective_to === null ? null : new Date(row.effective_to).toISOString(),
  version: row.version,
});

const readList = (db: Knex | Knex.Transaction, schema: string, tenant: string, priceListId: string) =>
  db
    .withSchema(schema)
    .table('price_lists')
    .where({ tenant, price_list_id: priceListId })
    .first<ListRow | undefined>(['tenant', 'price_list_id', 'name', 'currency', 'version', 'updated_at']);

/** A list with all its rules (by SKU, then the order they were set); undefined when the tenant has no such list. */
export async function readPriceListView(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  priceListId: string,
): Promise<PriceListView | undefined> {
  const list = await readList(db, schema, tenant, priceListId);
  if (!list) return undefined;
  const rows = await db
    .withSchema(schema)
    .table('price_rules')
    .where({ tenant, price_list_id: priceListId })
    .orderBy(['sku', 'version'])
    .select<RuleRow[]>(RULE_COLUMNS);
  return {
    tenant: list.tenant,
    priceListId: list.price_list_id,
    name: list.name,
    currency: list.currency,
    version: list.version,
    updatedAt: new Date(list.updated_at).toISOString(),
    rules: rows.map(toRule),
  };
}

/** The rules of one SKU of a list; undefined when the tenant has no such list (a list without rules for the SKU gives an empty set). */
export async function readSkuRules(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  priceListId: string,
  sku: string,
): Promise<SkuRules | undefined> {
  return (await readSkuRulesOf(db, schema, tenant, priceListId, [sku])).get(sku);
}

/**
 * The rules of many SKUs of one list in two queries (the list, then the rules), whatever the
 * number of SKUs: the batch a GraphQL DataLoader needs. Every SKU asked for is in the map (with
 * an empty set when it has no rules); the map is empty when the tenant has no such list.
 */
export async function readSkuRulesOf(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  priceListId: string,
  skus: readonly string[],
): Promise<Map<string, SkuRules>> {
  const entries = new Map<string, SkuRules>();
  const wanted = [...new Set(skus)];
  if (wanted.length === 0) return entries;
  const list = await readList(db, schema, tenant, priceListId);
  if (!list) return entries;
  for (const sku of wanted)
    entries.set(sku, { tenant, priceListId, sku, currency: list.currency, version: list.version, rules: [] });
  const rows = await db
    .withSchema(schema)
    .table('price_rules')
    .where({ tenant, price_list_id: priceListId })
    .whereIn('sku', wanted)
    .orderBy([{ column: 'sku' }, { column: 'version' }])
    .select<RuleRow[]>(RULE_COLUMNS);
  for (const row of rows) entries.get(row.sku)?.rules.push(toRule(row));
  return entries;
}
