import { SchemaCatalog } from './schema-catalog';
import { SchemaCompatibilityError, checkCatalogCompatibility, checkEventCompatibility } from './schema-compatibility';
import { record, schemaVersion } from './testing/in-memory-schemas';

const v1Fields = [
  { name: 'sku', type: 'string' },
  { name: 'quantity', type: 'int' },
];
const v1 = schemaVersion(1, record('ThingHappened', v1Fields));
const v2 = (fields: unknown[]) => schemaVersion(2, record('ThingHappened', fields));
const messages = (errors: Error[]) => errors.map((e) => e.message);

describe('BACKWARD_TRANSITIVE compatibility of event versions', () => {
  it('accepts a field added with a default', () => {
    expect(checkEventCompatibility([v1, v2([...v1Fields, { name: 'note', type: 'string', default: '' }])])).toEqual([]);
  });

  it('accepts a nullable field added with a null default', () => {
    expect(
      checkEventCompatibility([v1, v2([...v1Fields, { name: 'note', type: ['null', 'string'], default: null }])]),
    ).toEqual([]);
  });

  it.each([
    ['int', 'long'],
    ['int', 'double'],
    ['long', 'float'],
    ['string', 'bytes'],
  ])('accepts the promotion %s -> %s', (from, to) => {
    const older = schemaVersion(1, record('ThingHappened', [{ name: 'x', type: from }]));
    const newer = schemaVersion(2, record('ThingHappened', [{ name: 'x', type: to }]));
    expect(checkEventCompatibility([older, newer])).toEqual([]);
  });

  it('accepts a removed field: the newer reader skips what the older writer wrote', () => {
    expect(checkEventCompatibility([v1, v2([v1Fields[0]])])).toEqual([]);
  });

  it('accepts a renamed field that keeps the old name as an alias', () => {
    expect(
      checkEventCompatibility([v1, v2([v1Fields[0], { name: 'units', aliases: ['quantity'], type: 'int' }])]),
    ).toEqual([]);
  });

  it('refuses a field added without a default, naming event, versions and field', () => {
    const errors = checkEventCompatibility([v1, v2([...v1Fields, { name: 'note', type: 'string' }])]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SchemaCompatibilityError);
    expect(errors[0]).toMatchObject({
      code: 'incompatible_schema',
      message: 'verity.test.ThingHappened v2 cannot read data written with v1: field `note` added without a default',
      context: { fullName: 'verity.test.ThingHappened', readerVersion: 2, writerVersion: 1 },
    });
  });

  it('refuses a type change that is not a promotion', () => {
    const errors = checkEventCompatibility([v1, v2([v1Fields[0], { name: 'quantity', type: 'string' }])]);
    expect(messages(errors)).toEqual([
      'verity.test.ThingHappened v2 cannot read data written with v1: type of `quantity` changed from int to string, which is not a promotion Avro allows',
    ]);
  });

  it('refuses a narrowing (long -> int)', () => {
    const older = schemaVersion(1, record('ThingHappened', [{ name: 'x', type: 'long' }]));
    const newer = schemaVersion(2, record('ThingHappened', [{ name: 'x', type: 'int' }]));
    expect(messages(checkEventCompatibility([older, newer]))[0]).toContain('type of `x` changed from long to int');
  });

  it('refuses a renamed field without an alias as a field added without a default', () => {
    expect(messages(checkEventCompatibility([v1, v2([v1Fields[0], { name: 'units', type: 'int' }])]))).toEqual([
      'verity.test.ThingHappened v2 cannot read data written with v1: field `units` added without a default',
    ]);
  });

  it('names the path of a nested field and dropped enum symbols', () => {
    const address = (fields: unknown[]) => ({ type: 'record', name: 'Address', fields });
    const kind = (symbols: string[]) => ({ type: 'enum', name: 'Kind', symbols });
    const older = schemaVersion(
      1,
      record('ThingHappened', [
        { name: 'at', type: address([{ name: 'city', type: 'string' }]) },
        { name: 'kind', type: kind(['A', 'B']) },
      ]),
    );
    const newer = schemaVersion(
      2,
      record('ThingHappened', [
        {
          name: 'at',
          type: address([
            { name: 'city', type: 'string' },
            { name: 'zip', type: 'string' },
          ]),
        },
        { name: 'kind', type: kind(['A']) },
      ]),
    );
    expect(messages(checkEventCompatibility([older, newer]))).toEqual([
      'verity.test.ThingHappened v2 cannot read data written with v1: field `at.zip` added without a default; enum `kind` dropped symbols B that older data may hold, and has no default symbol',
    ]);
  });

  it('checks every version against all earlier ones, not only the previous one', () => {
    // v3 reads v2's data (its `quantity` comes from the default) but not v1's, whose quantity is an int.
    const v2Dropped = v2([v1Fields[0]]);
    const v3 = schemaVersion(
      3,
      record('ThingHappened', [v1Fields[0], { name: 'quantity', type: 'string', default: '' }]),
    );
    expect(checkEventCompatibility([v1, v2Dropped, v3]).map((e) => e.context)).toEqual([
      expect.objectContaining({ readerVersion: 3, writerVersion: 1 }),
    ]);
  });

  it('refuses versions that do not run from v1 without gaps', () => {
    const v3 = schemaVersion(3, record('ThingHappened', v1Fields));
    expect(messages(checkCatalogCompatibility(new SchemaCatalog([v1, v3])))).toEqual([
      'verity.test.ThingHappened has versions v1, v3: versions must run from v1 without gaps',
    ]);
  });
});
