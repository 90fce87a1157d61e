import { checksumOf } from './checksum';
import { compareRecords, comparableOf, overallAccuracy } from './drift';
import { mapRecord } from './records';

describe('compareRecords', () => {
  it('reports records missing on either side, values that differ, and matching over total', () => {
    const source = new Map([
      ['A@main', { onHand: 5 }],
      ['B@main', { onHand: 7 }],
      ['C@main', { onHand: 1 }],
    ]);
    const verity = new Map([
      ['A@main', { onHand: 5 }],
      ['B@main', { onHand: 6 }],
      ['D@main', { onHand: 2 }],
    ]);
    const report = compareRecords('inventory', source, verity);
    expect(report).toEqual({
      kind: 'inventory',
      total: 4,
      matching: 1,
      missingInVerity: ['C@main'],
      missingInSource: ['D@main'],
      differing: [{ key: 'B@main', field: 'onHand', source: 7, verity: 6 }],
      accuracy: 0.25,
    });
    expect(overallAccuracy([report, compareRecords('products', new Map(), new Map())])).toBe(0.25);
  });

  it('compares only the fields the source gives, attributes in any key order', () => {
    const record = mapRecord('products', {
      sku: 'W-1',
      name: 'Widget',
      unit: 'EA',
      attributes: { b: '2', a: '1' },
      updated_at: '2025-07-15T10:30:00Z',
    });
    const verity = new Map([
      ['W-1', { name: 'Widget', unit: 'EA', description: 'kept', attributes: { a: '1', b: '2' } }],
    ]);
    expect(compareRecords('products', new Map([['W-1', comparableOf(record)]]), verity).accuracy).toBe(1);
  });
});

describe('checksumOf', () => {
  it('does not depend on key order', () => {
    expect(checksumOf({ a: 1, b: { c: 2, d: 3 } })).toBe(checksumOf({ b: { d: 3, c: 2 }, a: 1 }));
  });
});
