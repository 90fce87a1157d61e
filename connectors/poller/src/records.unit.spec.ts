import { commandOfChange, UnmappableChangeError } from '@verity/connector-intake';
import { contexts } from '@verity/domain';
import { parseInterval } from './config';
import { changeOfRecord, commandIdOf, mapRecord, parsePage } from './records';

const config = { tenant: 'acme', source: 'netsuite' as const };

describe('mapRecord', () => {
  it('maps an inventory record to the absolute count AdjustStock sets, location main by default', () => {
    const record = mapRecord('inventory', {
      sku: 'WIDGET-001',
      quantity: 150,
      updated_at: '2025-07-15T12:30:00+02:00',
    });
    expect(record).toMatchObject({
      key: 'WIDGET-001@main',
      updatedAt: '2025-07-15T10:30:00.000Z',
      payload: { sku: 'WIDGET-001', location: 'main', onHand: 150 },
    });
    const envelope = commandOfChange(contexts, changeOfRecord(config, record, false));
    expect(envelope).toMatchObject({ type: 'inventory.AdjustStock', streamId: 'acme/WIDGET-001' });
    expect(envelope.metadata).toMatchObject({ sourceSystem: 'netsuite', sourceTimestamp: '2025-07-15T10:30:00.000Z' });
  });

  it('registers a product not sent before and updates a known one', () => {
    const record = mapRecord('products', {
      sku: 'W-1',
      name: ' Widget ',
      unit: 'ea',
      updated_at: '2025-07-15T10:30:00Z',
    });
    expect(record.payload).toEqual({ sku: 'W-1', name: 'Widget', unit: 'EA' });
    expect(changeOfRecord(config, record, false).type).toBe('catalog.RegisterProduct');
    expect(changeOfRecord(config, record, true).type).toBe('catalog.UpdateProduct');
    expect(() => commandOfChange(contexts, changeOfRecord(config, record, true))).not.toThrow();
  });

  it('names the field a record gets wrong', () => {
    expect(() => mapRecord('inventory', { sku: 'W-1', updated_at: '2025-07-15T10:30:00Z' })).toThrow(/quantity/);
    expect(() => mapRecord('products', { sku: 'W-1', unit: 'EA', updated_at: 'yesterday' })).toThrow(
      UnmappableChangeError,
    );
    expect(() => mapRecord('products', { sku: 'W-1', unit: 'EA', updated_at: 'yesterday' })).toThrow(
      /name.*updated_at/,
    );
  });

  it('gives the same record with the same content the same checksum and command id, another content another', () => {
    const a = mapRecord('inventory', { sku: 'W-1', location: 'main', quantity: 5, updated_at: '2025-07-15T10:30:00Z' });
    const again = mapRecord('inventory', {
      updated_at: '2025-07-15T10:31:00Z',
      quantity: 5,
      location: 'main',
      sku: 'W-1',
    });
    const changed = mapRecord('inventory', {
      sku: 'W-1',
      location: 'main',
      quantity: 6,
      updated_at: '2025-07-15T10:32:00Z',
    });
    expect(again.checksum).toBe(a.checksum);
    expect(commandIdOf('netsuite', again)).toBe(commandIdOf('netsuite', a));
    expect(changed.checksum).not.toBe(a.checksum);
    expect(commandIdOf('netsuite', changed)).not.toBe(commandIdOf('netsuite', a));
  });
});

describe('parsePage', () => {
  it('reads items and the next page, a number or a cursor; none on the last page', () => {
    expect(parsePage({ items: [1], next_page: 2 })).toEqual({ items: [1], nextPage: '2' });
    expect(parsePage({ items: [], next_page: 'abc' })).toEqual({ items: [], nextPage: 'abc' });
    expect(parsePage({ items: [], next_page: null })).toEqual({ items: [], nextPage: undefined });
    expect(() => parsePage({ records: [] })).toThrow(/items/);
  });
});

describe('parseInterval', () => {
  it('reads seconds, minutes and hours; a bare number is minutes', () => {
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('15')).toBe(900_000);
    expect(parseInterval('1h')).toBe(3_600_000);
    expect(parseInterval('2500ms')).toBe(2_500);
  });

  it('refuses what is not an interval or out of range', () => {
    expect(() => parseInterval('soon')).toThrow(/ms, s, m or h/);
    expect(() => parseInterval('10ms')).toThrow(/between 1s and 24h/);
    expect(() => parseInterval('2d')).toThrow(RangeError);
  });
});
