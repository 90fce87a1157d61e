import { UnmappableChangeError, type SourceChange } from '@verity/connector-intake';
import type { Row, RowChange } from './debezium-record';
import { minorUnits } from './money';

/** The source system every change of the ERP database is recorded as. */
export const ERP_SOURCE = 'erp-db' as const;

/** The tables of the legacy ERP database the mapping knows, and their primary keys. */
export const ERP_TABLES = {
  items: ['sku'],
  inventory_levels: ['sku', 'location'],
  price_list_lines: ['price_list_id', 'sku', 'valid_from'],
} as const;
export type ErpTable = keyof typeof ERP_TABLES;

export interface ErpMappingOptions {
  /** The connector's tenant. */
  tenant: string;
  /** The currency of `unit_price` (ISO 4217), for the price lists a line creates. */
  currency: string;
  /** Recorded as the commands' actor. Default `connector:erp-db`. */
  actor?: string;
}

const isErpTable = (table: string): table is ErpTable => Object.hasOwn(ERP_TABLES, table);

/** The changed row: the new one, or the old one of a delete. */
const rowOf = (change: RowChange): Row | null => (change.op === 'd' ? change.before : change.after);

/** A key value as text: timestamps normalised so a key reads the same in every record. */
function keyPart(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new UnmappableChangeError(
    `primary key column ${column} is ${value === undefined ? 'missing' : 'not a value'}`,
    [{ path: column, message: 'required' }],
  );
}

/**
 * Where the change is in the source: database, WAL position, table and primary key. The
 * command id is derived from it, so a change Debezium delivers again (after a crash, or
 * replayed from the slot) becomes the same command, which the processor answers from the
 * stream without appending anything.
 */
export function positionOf(change: RowChange): string {
  const row = rowOf(change);
  if (!isErpTable(change.table) || row === null) return `${change.database}:${change.lsn}:${change.table}`;
  const key = ERP_TABLES[change.table].map((column) => keyPart(row, column)).join('/');
  return `${change.database}:${change.lsn}:${change.table}:${key}`;
}

/**
 * The commands a row change of the ERP database means, in the order they are to be decided.
 * Throws `UnmappableChangeError` naming the column when a row cannot be one (an unknown table,
 * a missing column, a price with fractions of a cent).
 */
export function erpCommandsOf(change: RowChange, options: ErpMappingOptions): SourceChange[] {
  if (!isErpTable(change.table))
    throw new UnmappableChangeError(`table ${change.schema}.${change.table} is not mapped`, [
      { path: 'source.table', message: 'unknown table' },
    ]);
  const row = rowOf(change);
  if (row === null)
    throw new UnmappableChangeError(
      `${change.op} of ${change.table} carries no ${change.op === 'd' ? 'before' : 'after'} row`,
      [{ path: change.op === 'd' ? 'before' : 'after', message: 'required' }],
    );
  const position = positionOf(change);
  const common = {
    tenant: options.tenant,
    sourceSystem: ERP_SOURCE,
    sourceTimestamp: change.committedAt,
    actor: options.actor ?? `connector:${ERP_SOURCE}`,
    correlationId: `${ERP_SOURCE}:${change.database}:${change.lsn}`,
  };
  const command = (type: string, payload: Record<string, unknown>, id = `${ERP_SOURCE}:${position}`): SourceChange => ({
    ...common,
    type,
    payload,
    commandId: id,
  });

  switch (change.table) {
    case 'items': {
      if (change.op === 'd')
        return [command('catalog.DiscontinueProduct', { sku: row.sku, reason: `deleted in ${ERP_SOURCE}` })];
      if (change.op !== 'u')
        return [command('catalog.RegisterProduct', { sku: row.sku, name: row.name, unit: row.unit })];
      const fields = changedColumns(change, ['name', 'unit']);
      if (fields.length === 0) return [];
      return [
        command('catalog.UpdateProduct', { sku: row.sku, ...Object.fromEntries(fields.map((f) => [f, row[f]])) }),
      ];
    }
    case 'inventory_levels':
      if (change.op === 'u' && changedColumns(change, ['quantity']).length === 0) return [];
      // The level is the absolute count at the location; a deleted level row holds nothing any more.
      return [
        command('inventory.AdjustStock', {
          sku: row.sku,
          location: row.location,
          onHand: change.op === 'd' ? 0 : row.quantity,
        }),
      ];
    case 'price_list_lines': {
      // A line is its list, SKU and start (the table's key): an ERP that moves a start changes the
      // key, which Debezium delivers as a delete of the old line and an insert of the new one.
      const line = { priceListId: row.price_list_id, sku: row.sku, effectiveFrom: instant(row, 'valid_from', false) };
      if (change.op === 'd') return [command('pricing.RemoveBasePrice', line)];
      const effectiveTo = instant(row, 'valid_to', true);
      const terms = {
        ...line,
        unitPrice: minorUnits(row.unit_price, 'unit_price'),
        ...(effectiveTo === undefined ? {} : { effectiveTo }),
      };
      if (change.op === 'u')
        return changedColumns(change, ['unit_price', 'valid_to']).length === 0
          ? []
          : [command('pricing.ReplaceBasePrice', terms)];
      const priceListId = row.price_list_id;
      // The list exists before its first line: one id per list, so every line after the first repeats
      // the same command, which is answered from the stream.
      const createList = command(
        'pricing.CreatePriceList',
        { priceListId, name: String(priceListId), currency: options.currency },
        `${ERP_SOURCE}:${change.database}:price-list:${String(priceListId)}`,
      );
      return [createList, command('pricing.SetBasePrice', terms)];
    }
  }
}

/**
 * The columns an update changed. Without the old row (a table without REPLICA IDENTITY FULL)
 * every column counts as changed; with it, an ERP that touched only `updated_at` changes nothing,
 * and one that changed a unit does not send, and conflict on, a name it never touched.
 */
function changedColumns(change: RowChange, columns: readonly string[]): string[] {
  const { before, after } = change;
  if (before === null || after === null) return [...columns];
  return columns.filter((c) => JSON.stringify(before[c] ?? null) !== JSON.stringify(after[c] ?? null));
}

/** A timestamptz column (Debezium writes ISO 8601 with an offset) as UTC ISO 8601. */
function instant(row: Row, column: string, optional: true): string | undefined;
function instant(row: Row, column: string, optional: false): string;
function instant(row: Row, column: string, optional: boolean): string | undefined {
  const value = row[column];
  if ((value === null || value === undefined) && optional) return undefined;
  const at = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new UnmappableChangeError(`${column}: not a timestamp with time zone (${JSON.stringify(value ?? null)})`, [
      { path: column, message: 'a timestamp with time zone' },
    ]);
  return at.toISOString();
}
