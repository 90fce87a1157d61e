import { findCommand } from '@verity/core';
import { contexts } from '@verity/domain';
import { fieldKindsOf, payloadOfCells } from './cell-types';

const schemaOf = (type: string) => findCommand(contexts, type)!.definition.schema;

describe('fieldKindsOf', () => {
  it("reads each field's kind from the command's own schema", () => {
    expect(Object.fromEntries(fieldKindsOf(schemaOf('inventory.AdjustStock')))).toEqual({
      sku: 'text',
      location: 'text',
      onHand: 'number',
    });
    expect(fieldKindsOf(schemaOf('catalog.RegisterProduct')).get('attributes')).toBe('json');
    expect(fieldKindsOf(schemaOf('pricing.SetQuantityTiers')).get('tiers')).toBe('json');
  });
});

describe('payloadOfCells', () => {
  const stock = fieldKindsOf(schemaOf('inventory.ReceiveStock'));
  const product = fieldKindsOf(schemaOf('catalog.RegisterProduct'));

  it('converts a cell to the number its column expects; a text column stays text even when it looks like a number', () => {
    expect(payloadOfCells({ sku: '00042', location: 'main', quantity: ' 12 ' }, stock)).toEqual({
      sku: '00042',
      location: 'main',
      quantity: 12,
    });
  });

  it('leaves a cell that does not convert as text, so the schema names its field', () => {
    expect(payloadOfCells({ sku: 'A', location: 'main', quantity: 'twelve' }, stock)).toEqual({
      sku: 'A',
      location: 'main',
      quantity: 'twelve',
    });
    expect(payloadOfCells({ quantity: '0x10' }, stock)).toEqual({ quantity: '0x10' });
  });

  it('treats an empty cell as an absent field and parses JSON for an object column', () => {
    expect(
      payloadOfCells({ sku: 'A', name: 'Bolt', unit: 'ea', description: '', attributes: '{"m":"M8"}' }, product),
    ).toEqual({
      sku: 'A',
      name: 'Bolt',
      unit: 'ea',
      attributes: { m: 'M8' },
    });
    expect(payloadOfCells({ attributes: '{broken' }, product)).toEqual({ attributes: '{broken' });
  });

  it('keeps a column the schema does not know, for the schema to refuse', () => {
    expect(payloadOfCells({ colour: 'red' }, stock)).toEqual({ colour: 'red' });
  });
});
