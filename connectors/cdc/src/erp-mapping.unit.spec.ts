import { UnmappableChangeError } from '@verity/connector-intake';
import type { RowChange } from './debezium-record';
import { erpCommandsOf, positionOf } from './erp-mapping';
import { minorUnits } from './money';

const change = (over: Partial<RowChange>): RowChange => ({
  op: 'c',
  database: 'erp',
  schema: 'public',
  table: 'items',
  lsn: '24023128',
  committedAt: '2026-12-02T10:00:00.000Z',
  before: null,
  after: null,
  ...over,
});
const options = { tenant: 'default', currency: 'EUR' };
const common = {
  tenant: 'default',
  sourceSystem: 'erp-db',
  sourceTimestamp: '2026-12-02T10:00:00.000Z',
  actor: 'connector:erp-db',
  correlationId: 'erp-db:erp:24023128',
};

describe('erpCommandsOf: items', () => {
  const item = { sku: 'WIDGET-001', name: 'Widget', unit: 'EA', updated_at: '2026-12-02T09:59:59Z' };

  it('an insert, and a row of the initial snapshot, register the product', () => {
    const expected = [
      {
        ...common,
        type: 'catalog.RegisterProduct',
        payload: { sku: 'WIDGET-001', name: 'Widget', unit: 'EA' },
        commandId: 'erp-db:erp:24023128:items:WIDGET-001',
      },
    ];
    expect(erpCommandsOf(change({ op: 'c', after: item }), options)).toEqual(expected);
    expect(erpCommandsOf(change({ op: 'r', after: item }), options)).toEqual(expected);
  });

  it('an update sends the columns it changed (all without the old row); a delete discontinues (from the old row)', () => {
    expect(erpCommandsOf(change({ op: 'u', before: item, after: { ...item, name: 'Widget XL' } }), options)).toEqual([
      expect.objectContaining({ type: 'catalog.UpdateProduct', payload: { sku: 'WIDGET-001', name: 'Widget XL' } }),
    ]);
    expect(erpCommandsOf(change({ op: 'u', before: null, after: { ...item, unit: 'box' } }), options)).toEqual([
      expect.objectContaining({ payload: { sku: 'WIDGET-001', name: 'Widget', unit: 'box' } }),
    ]);
    expect(erpCommandsOf(change({ op: 'u', before: item, after: { ...item, updated_at: 'later' } }), options)).toEqual(
      [],
    );
    expect(erpCommandsOf(change({ op: 'd', before: { sku: 'WIDGET-001' } }), options)).toEqual([
      expect.objectContaining({
        type: 'catalog.DiscontinueProduct',
        payload: { sku: 'WIDGET-001', reason: 'deleted in erp-db' },
        commandId: 'erp-db:erp:24023128:items:WIDGET-001',
      }),
    ]);
  });

  it('the command id is the position: the same change delivered again is the same command; another LSN is not', () => {
    const once = erpCommandsOf(change({ op: 'u', after: item }), options)[0]!.commandId;
    expect(erpCommandsOf(change({ op: 'u', after: item }), options)[0]!.commandId).toBe(once);
    expect(erpCommandsOf(change({ op: 'u', after: item, lsn: '24023200' }), options)[0]!.commandId).not.toBe(once);
  });
});

describe('erpCommandsOf: inventory_levels', () => {
  const level = { sku: 'WIDGET-001', location: 'berlin', quantity: 150, updated_at: '2026-12-02T09:59:59Z' };

  it('every insert and update sets the absolute count at the location', () => {
    for (const op of ['c', 'r', 'u'] as const)
      expect(erpCommandsOf(change({ op, table: 'inventory_levels', after: level }), options)).toEqual([
        {
          ...common,
          type: 'inventory.AdjustStock',
          payload: { sku: 'WIDGET-001', location: 'berlin', onHand: 150 },
          commandId: 'erp-db:erp:24023128:inventory_levels:WIDGET-001/berlin',
        },
      ]);
  });

  it('an update that did not change the quantity is no command', () => {
    const touched = { ...level, updated_at: '2026-12-02T11:00:00Z' };
    expect(
      erpCommandsOf(change({ op: 'u', table: 'inventory_levels', before: level, after: touched }), options),
    ).toEqual([]);
  });

  it('a deleted level row leaves nothing on hand there', () => {
    expect(
      erpCommandsOf(change({ op: 'd', table: 'inventory_levels', before: { sku: 'WIDGET-001', location: 'berlin' } }), {
        ...options,
      }),
    ).toEqual([expect.objectContaining({ payload: { sku: 'WIDGET-001', location: 'berlin', onHand: 0 } })]);
  });
});

describe('erpCommandsOf: price_list_lines', () => {
  const line = {
    price_list_id: 'PL-EU',
    sku: 'WIDGET-001',
    unit_price: '12.99',
    valid_from: '2026-01-01T00:00:00.000000Z',
    valid_to: null,
    updated_at: '2026-12-02T09:59:59Z',
  };

  it('a line creates its list (one command id per list) and sets the base price in minor units', () => {
    expect(erpCommandsOf(change({ table: 'price_list_lines', after: line }), options)).toEqual([
      {
        ...common,
        type: 'pricing.CreatePriceList',
        payload: { priceListId: 'PL-EU', name: 'PL-EU', currency: 'EUR' },
        commandId: 'erp-db:erp:price-list:PL-EU',
      },
      {
        ...common,
        type: 'pricing.SetBasePrice',
        payload: {
          priceListId: 'PL-EU',
          sku: 'WIDGET-001',
          unitPrice: 1299,
          effectiveFrom: '2026-01-01T00:00:00.000Z',
        },
        commandId: 'erp-db:erp:24023128:price_list_lines:PL-EU/WIDGET-001/2026-01-01T00:00:00.000000Z',
      },
    ]);
    const ended = erpCommandsOf(
      change({ table: 'price_list_lines', after: { ...line, valid_to: '2026-06-30T22:00:00+00:00' } }),
      options,
    );
    expect(ended[1]!.payload).toMatchObject({ effectiveTo: '2026-06-30T22:00:00.000Z' });
  });

  const position = 'erp-db:erp:24023128:price_list_lines:PL-EU/WIDGET-001/2026-01-01T00:00:00.000000Z';

  it('an update of the price or the end replaces the line named by list, SKU and start (the id is the change position)', () => {
    const updated = { ...line, unit_price: '13.49', updated_at: '2026-12-02T10:00:00Z' };
    expect(
      erpCommandsOf(change({ op: 'u', table: 'price_list_lines', before: line, after: updated }), options),
    ).toEqual([
      {
        ...common,
        type: 'pricing.ReplaceBasePrice',
        payload: {
          priceListId: 'PL-EU',
          sku: 'WIDGET-001',
          effectiveFrom: '2026-01-01T00:00:00.000Z',
          unitPrice: 1349,
        },
        commandId: position,
      },
    ]);
    const ended = { ...line, valid_to: '2026-06-30T22:00:00+00:00' };
    expect(
      erpCommandsOf(change({ op: 'u', table: 'price_list_lines', before: line, after: ended }), options)[0]!.payload,
    ).toEqual({
      priceListId: 'PL-EU',
      sku: 'WIDGET-001',
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      unitPrice: 1299,
      effectiveTo: '2026-06-30T22:00:00.000Z',
    });
    // Without the old row every column counts as changed; the decider appends nothing for the same terms.
    expect(erpCommandsOf(change({ op: 'u', table: 'price_list_lines', after: line }), options)).toEqual([
      expect.objectContaining({ type: 'pricing.ReplaceBasePrice', commandId: position }),
    ]);
  });

  it('an update of updated_at alone is no command', () => {
    const touched = { ...line, updated_at: '2026-12-02T10:00:00Z' };
    expect(
      erpCommandsOf(change({ op: 'u', table: 'price_list_lines', before: line, after: touched }), options),
    ).toEqual([]);
  });

  it('a delete removes the line named by the old row', () => {
    expect(erpCommandsOf(change({ op: 'd', table: 'price_list_lines', before: line }), options)).toEqual([
      {
        ...common,
        type: 'pricing.RemoveBasePrice',
        payload: { priceListId: 'PL-EU', sku: 'WIDGET-001', effectiveFrom: '2026-01-01T00:00:00.000Z' },
        commandId: position,
      },
    ]);
  });

  it('refuses a price with fractions of a cent and a line without valid_from, naming the column', () => {
    const refused = (c: RowChange) => () => erpCommandsOf(c, options);
    expect(refused(change({ table: 'price_list_lines', after: { ...line, unit_price: '12.999' } }))).toThrow(
      /unit_price/,
    );
    expect(
      refused(change({ op: 'u', table: 'price_list_lines', before: line, after: { ...line, unit_price: '12.999' } })),
    ).toThrow(/unit_price/);
    expect(refused(change({ table: 'price_list_lines', after: { ...line, valid_from: null } }))).toThrow(
      UnmappableChangeError,
    );
    expect(refused(change({ op: 'd', table: 'price_list_lines', before: { ...line, valid_from: 'soon' } }))).toThrow(
      /valid_from/,
    );
  });
});

describe('unmappable rows', () => {
  it('an unknown table and a missing row are refused, naming what is wrong', () => {
    expect(() => erpCommandsOf(change({ table: 'orders', after: { id: 1 } }), options)).toThrow(
      /public.orders is not mapped/,
    );
    expect(() => erpCommandsOf(change({ op: 'u', after: null }), options)).toThrow(/no after row/);
  });

  it('the position names database, LSN, table and key', () => {
    expect(positionOf(change({ table: 'inventory_levels', after: { sku: 'A', location: 'b' } }))).toBe(
      'erp:24023128:inventory_levels:A/b',
    );
  });
});

describe('minorUnits', () => {
  it('reads decimals as text, never as a float', () => {
    expect(minorUnits('12.99', 'p')).toBe(1299);
    expect(minorUnits('0.1', 'p')).toBe(10);
    expect(minorUnits('1099511627776.00', 'p')).toBe(109951162777600);
    expect(minorUnits('7', 'p')).toBe(700);
    expect(minorUnits('12.990', 'p')).toBe(1299);
    expect(minorUnits(19.5, 'p')).toBe(1950);
  });

  it('refuses negative, non-numeric and sub-cent amounts', () => {
    for (const bad of ['-1.00', 'abc', '1.005', '', null, undefined, {}])
      expect(() => minorUnits(bad, 'unit_price')).toThrow(/unit_price/);
  });
});
