import { encodeChangeNotice, parseChangeNotice, type ChangeNotice } from './change-notice';

describe('change notices', () => {
  const notices: ChangeNotice[] = [
    { context: 'inventory', tenant: 'acme', sku: 'S-1', key: 'p:inventory:stock:v2:acme:S-1', version: 3 },
    { context: 'catalog', tenant: 'acme', sku: 'S-1', key: 'p:catalog:product:acme:S-1', version: 2 },
    { context: 'aliases', tenant: 'acme', key: 'p:aliases:resolve:acme:frontend:a', version: 7 },
    {
      context: 'pricing',
      tenant: 'acme',
      priceListId: 'PL-1',
      sku: 'S-1',
      key: 'p:pricing:quote:acme:PL-1:S-1',
      version: 4,
    },
    { context: 'pricing', tenant: 'acme', priceListId: 'PL-1', sku: null, key: null, version: 1 },
    {
      context: 'conflicts',
      tenant: 'acme',
      conflictId: 'c-1',
      sku: 'S-1',
      conflictContext: 'inventory',
      key: 'p:sources:conflict:acme:c-1',
      version: 5,
    },
  ];

  it.each(notices)('parse reads back what encode wrote: $context', (notice) => {
    expect(parseChangeNotice(encodeChangeNotice(notice))).toEqual(notice);
  });

  it('encodes the JSON the projections have always published', () => {
    expect(encodeChangeNotice(notices[0]!)).toBe(
      '{"context":"inventory","tenant":"acme","sku":"S-1","key":"p:inventory:stock:v2:acme:S-1","version":3}',
    );
  });

  it('keeps only the fields of its read model', () => {
    expect(
      parseChangeNotice('{"context":"catalog","tenant":"acme","sku":"S-1","key":"k","version":2,"extra":true}'),
    ).toEqual({ context: 'catalog', tenant: 'acme', sku: 'S-1', key: 'k', version: 2 });
  });

  it('is undefined for anything else', () => {
    expect(parseChangeNotice('not json')).toBeUndefined();
    expect(parseChangeNotice('null')).toBeUndefined();
    expect(parseChangeNotice('{"context":"warehouse","tenant":"acme","key":"k","version":1}')).toBeUndefined();
    // Each read model's own fields are required and typed.
    expect(parseChangeNotice('{"context":"inventory","tenant":"acme","key":"k","version":1}')).toBeUndefined();
    expect(
      parseChangeNotice('{"context":"catalog","tenant":"acme","sku":"S-1","key":"k","version":"2"}'),
    ).toBeUndefined();
    expect(
      parseChangeNotice('{"context":"conflicts","tenant":"acme","conflictId":"c-1","sku":"S-1","key":"k","version":5}'),
    ).toBeUndefined();
    expect(
      parseChangeNotice('{"context":"pricing","tenant":"acme","sku":null,"key":null,"version":1}'),
    ).toBeUndefined();
  });
});
