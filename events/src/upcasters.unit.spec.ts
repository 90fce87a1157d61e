import { InvalidOptionError } from '@verity/core';
import { SchemaCatalog } from './schema-catalog';
import { record, schemaVersion } from './testing/in-memory-schemas';
import { UpcastError, UpcasterChain, type Upcaster } from './upcasters';

// v1 has a free-text `location` ("berlin/dock-2"); v2 splits it into site and dock (a semantic
// change Avro cannot express); v3 adds a note with a default (Avro alone handles it).
const v1 = schemaVersion(
  1,
  record('ThingHappened', [
    { name: 'location', type: 'string' },
    { name: 'quantity', type: 'int' },
  ]),
);
const v2 = schemaVersion(
  2,
  record('ThingHappened', [
    { name: 'site', type: 'string' },
    { name: 'dock', type: 'string' },
    { name: 'quantity', type: 'long' },
  ]),
);
const v3 = schemaVersion(
  3,
  record('ThingHappened', [...(v2.raw.fields as object[]), { name: 'note', type: 'string', default: '' }]),
);
const fullName = 'verity.test.ThingHappened';

const splitLocation: Upcaster = {
  fullName,
  fromVersion: 1,
  upcast: ({ location, ...rest }) => {
    const [site, dock = ''] = String(location).split('/');
    return { ...rest, site, dock };
  },
};

const decode = (versions: (typeof v1)[], upcasters: Upcaster[], written: typeof v1, payload: object) =>
  new UpcasterChain(new SchemaCatalog(versions), upcasters).decoder(
    written.type,
    written,
  )(written.type.toBuffer(payload));

describe('UpcasterChain', () => {
  it('lifts v1 to v2 with the upcaster', () => {
    expect(decode([v1, v2], [splitLocation], v1, { location: 'berlin/dock-2', quantity: 5 })).toEqual({
      site: 'berlin',
      dock: 'dock-2',
      quantity: 5,
    });
  });

  it('lets Avro resolve the steps after an upcaster (v2 -> v3 fills the default)', () => {
    expect(decode([v1, v2, v3], [splitLocation], v1, { location: 'berlin', quantity: 5 })).toEqual({
      site: 'berlin',
      dock: '',
      quantity: 5,
      note: '',
    });
  });

  it('lets Avro resolve the steps before an upcaster', () => {
    const v0 = schemaVersion(1, record('ThingHappened', [{ name: 'location', type: 'string' }]));
    const v1WithQuantity = schemaVersion(
      2,
      record('ThingHappened', [
        { name: 'location', type: 'string' },
        { name: 'quantity', type: 'int', default: 1 },
      ]),
    );
    const v2Split = schemaVersion(3, v2.raw);
    const upcaster = { ...splitLocation, fromVersion: 2 };
    expect(decode([v0, v1WithQuantity, v2Split], [upcaster], v0, { location: 'paris/a' })).toEqual({
      site: 'paris',
      dock: 'a',
      quantity: 1,
    });
  });

  it('runs no upcaster for data already past it', () => {
    const upcast = jest.fn(splitLocation.upcast);
    expect(decode([v1, v2, v3], [{ ...splitLocation, upcast }], v2, { site: 's', dock: 'd', quantity: 1 })).toEqual({
      site: 's',
      dock: 'd',
      quantity: 1,
      note: '',
    });
    expect(upcast).not.toHaveBeenCalled();
  });

  it('chains one upcaster per step', () => {
    const v3Renamed = schemaVersion(
      3,
      record('ThingHappened', [
        { name: 'where', type: 'string' },
        { name: 'quantity', type: 'long' },
      ]),
    );
    const joinSiteAndDock: Upcaster = {
      fullName,
      fromVersion: 2,
      upcast: ({ site, dock, quantity }) => ({ where: `${String(site)}:${String(dock)}`, quantity }),
    };
    expect(decode([v1, v2, v3Renamed], [joinSiteAndDock, splitLocation], v1, { location: 'a/b', quantity: 2 })).toEqual(
      { where: 'a:b', quantity: 2 },
    );
  });

  it('resolves a writer that is none of our versions straight into the newest one', () => {
    const foreign = schemaVersion(
      9,
      record('ThingHappened', [
        { name: 'site', type: 'string' },
        { name: 'dock', type: 'string' },
        { name: 'quantity', type: 'int' },
        { name: 'extra', type: 'string' },
      ]),
    );
    const chain = new UpcasterChain(new SchemaCatalog([v1, v2]), [splitLocation]);
    expect(
      chain.decoder(foreign.type, undefined)(foreign.type.toBuffer({ site: 's', dock: 'd', quantity: 1, extra: 'x' })),
    ).toEqual({ site: 's', dock: 'd', quantity: 1 });
  });

  it('names the step when an upcaster returns what the next version refuses', () => {
    const broken: Upcaster = { fullName, fromVersion: 1, upcast: ({ quantity }) => ({ site: 'x', quantity }) };
    expect(() => decode([v1, v2], [broken], v1, { location: 'l', quantity: 1 })).toThrow(
      new UpcastError(fullName, 1, 'v2 refuses its result: dock: undefined is not valid'),
    );
  });

  it('wraps an upcaster that throws', () => {
    const throwing: Upcaster = {
      fullName,
      fromVersion: 1,
      upcast: () => {
        throw new Error('boom');
      },
    };
    expect(() => decode([v1, v2], [throwing], v1, { location: 'l', quantity: 1 })).toThrow(
      /upcasting verity.test.ThingHappened v1 to v2 failed: the upcaster threw: boom/,
    );
  });

  it.each([
    [
      'an unknown event',
      { ...splitLocation, fullName: 'verity.test.Nope' },
      /verity.test.Nope v1 → v2 needs both versions in the catalogue \(it has none\)/,
    ],
    [
      'the newest version',
      { ...splitLocation, fromVersion: 2 },
      /v2 → v3 needs both versions in the catalogue \(it has v1, v2\)/,
    ],
  ])('refuses an upcaster for %s', (_name, upcaster, message) => {
    expect(() => new UpcasterChain(new SchemaCatalog([v1, v2]), [upcaster])).toThrow(InvalidOptionError);
    expect(() => new UpcasterChain(new SchemaCatalog([v1, v2]), [upcaster])).toThrow(message);
  });

  it('refuses two upcasters for one step', () => {
    expect(() => new UpcasterChain(new SchemaCatalog([v1, v2]), [splitLocation, splitLocation])).toThrow(
      /two upcasters for verity.test.ThingHappened v1 → v2/,
    );
  });
});
