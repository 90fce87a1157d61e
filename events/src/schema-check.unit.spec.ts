import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSchemas } from './schema-check';
import { record } from './testing/in-memory-schemas';

describe('the schemas folder of the repository', () => {
  it('follows the naming rules and every version reads all earlier ones (BACKWARD_TRANSITIVE)', () => {
    const report = checkSchemas();
    expect(report.errors.map((e) => e.message)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.events).toContainEqual({ fullName: 'verity.inventory.StockReceived', versions: [1] });
  });
});

describe('checkSchemas on a folder', () => {
  let dir: string;
  const write = (context: string, file: string, schema: unknown): void => {
    mkdirSync(join(dir, context), { recursive: true });
    writeFileSync(join(dir, context, file), typeof schema === 'string' ? schema : JSON.stringify(schema));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'verity-schemas-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every problem with its code, not just the first', () => {
    write('shop', 'OrderPlaced.v1.avsc', record('OrderPlaced', [{ name: 'id', type: 'string' }], 'shop'));
    write(
      'shop',
      'OrderPlaced.v2.avsc',
      record(
        'OrderPlaced',
        [
          { name: 'id', type: 'string' },
          { name: 'total', type: 'long' },
        ],
        'shop',
      ),
    );
    write('shop', 'Misnamed.v1.avsc', record('SomethingElse', [], 'shop'));
    write('shop', 'WrongNamespace.v1.avsc', record('WrongNamespace', [], 'billing'));
    write('shop', 'orderCancelled.v1.avsc', record('orderCancelled', [], 'shop'));
    write('shop', 'Broken.v1.avsc', '{ not json');
    write('shop', 'Gap.v2.avsc', record('Gap', [], 'shop'));
    write('shop', 'README.md', 'ignored');

    const report = checkSchemas(dir);

    expect(report.ok).toBe(false);
    expect(report.errors.map((e) => [e.code, e.message.replace(`${dir}/`, '')])).toEqual([
      ['bad_schema_file', expect.stringMatching(/^shop\/Broken.v1.avsc: is not a valid Avro schema \(.*JSON/)],
      ['bad_schema_file', 'shop/Misnamed.v1.avsc: must be a record named Misnamed in namespace verity.shop'],
      [
        'bad_schema_file',
        'shop/WrongNamespace.v1.avsc: must be a record named WrongNamespace in namespace verity.shop',
      ],
      ['bad_schema_file', 'shop/orderCancelled.v1.avsc: name must be <Name>.v<N>.avsc'],
      ['bad_schema_versions', 'verity.shop.Gap has versions v2: versions must run from v1 without gaps'],
      [
        'incompatible_schema',
        'verity.shop.OrderPlaced v2 cannot read data written with v1: field `total` added without a default',
      ],
    ]);
    expect(report.events).toEqual([
      { fullName: 'verity.shop.Gap', versions: [2] },
      { fullName: 'verity.shop.OrderPlaced', versions: [1, 2] },
    ]);
  });

  it('passes compatible versions', () => {
    write('shop', 'OrderPlaced.v1.avsc', record('OrderPlaced', [{ name: 'total', type: 'int' }], 'shop'));
    write(
      'shop',
      'OrderPlaced.v2.avsc',
      record(
        'OrderPlaced',
        [
          { name: 'total', type: 'long' },
          { name: 'note', type: 'string', default: '' },
        ],
        'shop',
      ),
    );
    expect(checkSchemas(dir)).toEqual({
      ok: true,
      dir,
      events: [{ fullName: 'verity.shop.OrderPlaced', versions: [1, 2] }],
      errors: [],
    });
  });
});
