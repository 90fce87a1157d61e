import avro from 'avsc';
import { SchemaCatalog } from './schema-catalog';
import { frame, unframe } from './wire-format';
import { UndecodableRecordError } from '@verity/core';

describe('Confluent wire format', () => {
  it('frames magic byte, big-endian schema id and body', () => {
    const value = frame(0x01020304, Buffer.from([9, 8]));
    expect([...value]).toEqual([0, 1, 2, 3, 4, 9, 8]);
    expect(unframe(value)).toEqual({ schemaId: 0x01020304, body: Buffer.from([9, 8]) });
  });

  it.each([
    ['null', null],
    ['too short', Buffer.from([0, 0, 0])],
    ['wrong magic byte', Buffer.from([1, 0, 0, 0, 1, 2])],
    ['JSON', Buffer.from('{"sku":"x"}')],
  ])('refuses %s', (_name, value) => {
    expect(() => unframe(value, { topic: 't' })).toThrow(UndecodableRecordError);
  });
});

describe('Avro bodies with the catalogue schemas', () => {
  const catalog = SchemaCatalog.load();
  const stockReceived = catalog.latest('verity.inventory.StockReceived');

  it('loads schemas by context, name and version from the schemas folder', () => {
    expect(stockReceived).toMatchObject({
      context: 'inventory',
      name: 'StockReceived',
      fullName: 'verity.inventory.StockReceived',
    });
    expect(catalog.ofContext('inventory').map((s) => s.fullName)).toContain('verity.inventory.StockReceived');
  });

  it('round-trips an event payload', () => {
    const payload = { sku: 'SKU-1', location: 'berlin', quantity: 5 };
    const { schemaId, body } = unframe(frame(42, stockReceived.type.toBuffer(payload)));
    expect(schemaId).toBe(42);
    expect(stockReceived.type.fromBuffer(body)).toEqual(payload);
  });

  it('resolves a body written with an older schema version into the newest shape', () => {
    const older = avro.Type.forSchema({ ...stockReceived.raw, fields: stockReceived.raw.fields } as avro.Schema);
    const widened = avro.Type.forSchema({
      ...stockReceived.raw,
      fields: [...stockReceived.raw.fields, { name: 'note', type: 'string', default: '' }],
    } as avro.Schema);
    const body = older.toBuffer({ sku: 'S', location: 'L', quantity: 1 });
    expect(widened.fromBuffer(body, widened.createResolver(older))).toEqual({
      sku: 'S',
      location: 'L',
      quantity: 1,
      note: '',
    });
  });
});
