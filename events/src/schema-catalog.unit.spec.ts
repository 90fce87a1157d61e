import avro from 'avsc';
import { SchemaCatalog } from './schema-catalog';
import { record, schemaVersion } from './testing/in-memory-schemas';

describe('SchemaCatalog.versionOf (which version a writer schema is)', () => {
  const v1 = schemaVersion(1, record('ThingHappened', [{ name: 'id', type: 'string' }]));
  // Same parsing canonical form as v1: only a doc and a default differ.
  const v2 = schemaVersion(2, record('ThingHappened', [{ name: 'id', type: 'string', doc: 'The id', default: '' }]));
  const v3 = schemaVersion(
    3,
    record('ThingHappened', [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int', default: 0 },
    ]),
  );
  const catalog = new SchemaCatalog([v3, v1, v2]);
  // As the registry client hands it over: a separately parsed copy.
  const fromRegistry = (raw: object) => avro.Type.forSchema(JSON.parse(JSON.stringify(raw)) as avro.Schema);

  it('finds the version by canonical form', () => {
    expect(catalog.versionOf(fromRegistry(v3.raw))?.version).toBe(3);
  });

  it('tells apart versions whose canonical forms are equal by the full schema', () => {
    expect(catalog.versionOf(fromRegistry(v1.raw))?.version).toBe(1);
    expect(catalog.versionOf(fromRegistry(v2.raw))?.version).toBe(2);
  });

  it('answers undefined for a schema that is none of ours', () => {
    expect(catalog.versionOf(fromRegistry(record('ThingHappened', [{ name: 'other', type: 'long' }])))).toBeUndefined();
    expect(catalog.versionOf(fromRegistry(record('Unknown', [])))).toBeUndefined();
  });
});
