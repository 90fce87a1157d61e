import { deciderSpec } from '@verity/events';
import { catalogDecider } from './decider';
import { discontinueProductSchema, registerProductSchema, updateProductSchema, type CatalogCommand } from './commands';
import type { CatalogEvent } from './events';

const spec = deciderSpec(catalogDecider);
const metadata = { tenant: 'acme', now: new Date('2026-11-23T10:00:00Z') };

const register = (data: Partial<Extract<CatalogCommand, { type: 'RegisterProduct' }>['data']> = {}): CatalogCommand => ({
  type: 'RegisterProduct',
  data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', ...data },
  metadata,
});
const update = (data: Omit<Extract<CatalogCommand, { type: 'UpdateProduct' }>['data'], 'sku'>): CatalogCommand => ({ type: 'UpdateProduct', data: { sku: 'SKU-1', ...data }, metadata });
const discontinue = (reason?: string): CatalogCommand => ({ type: 'DiscontinueProduct', data: { sku: 'SKU-1', ...(reason ? { reason } : {}) }, metadata });

const registered: CatalogEvent = {
  type: 'ProductRegistered',
  data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', description: null, attributes: { material: 'steel' } },
};
const discontinued: CatalogEvent = { type: 'ProductDiscontinued', data: { sku: 'SKU-1', reason: null } };
const unchanged = { sku: 'SKU-1', name: null, description: null, unit: null, attributes: null };

describe('catalog decider', () => {
  describe('RegisterProduct', () => {
    it('registers a new SKU', () => {
      spec
        .given([])
        .when(register({ description: 'zinc plated', attributes: { material: 'steel' } }))
        .then([{ type: 'ProductRegistered', data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', description: 'zinc plated', attributes: { material: 'steel' } } }]);
    });

    it('without description and attributes, registers null and an empty map', () => {
      spec.given([]).when(register()).then([{ type: 'ProductRegistered', data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', description: null, attributes: {} } }]);
    });

    it('rejects a SKU already registered for the tenant', () => {
      spec.given([registered]).when(register()).thenRejects('product_already_registered', { sku: 'SKU-1' });
    });

    it('rejects registering a discontinued SKU again', () => {
      spec.given([registered, discontinued]).when(register()).thenRejects('product_already_registered', { sku: 'SKU-1' });
    });

    it('rejects a command for another SKU on this stream', () => {
      spec.given([{ ...registered, data: { ...registered.data, sku: 'SKU-2' } } as CatalogEvent]).when(register()).thenRejects('wrong_stream');
    });
  });

  describe('UpdateProduct', () => {
    it('emits only the fields that change', () => {
      spec.given([registered]).when(update({ name: 'Bolt M8 x 40', unit: 'EA' })).then([{ type: 'ProductUpdated', data: { ...unchanged, name: 'Bolt M8 x 40' } }]);
    });

    it('replaces the attribute map when it differs', () => {
      spec
        .given([registered])
        .when(update({ attributes: { material: 'steel', finish: 'zinc' }, description: 'new' }))
        .then([{ type: 'ProductUpdated', data: { ...unchanged, description: 'new', attributes: { material: 'steel', finish: 'zinc' } } }]);
    });

    it('rejects an unknown product', () => {
      spec.given([]).when(update({ name: 'x' })).thenRejects('unknown_product', { sku: 'SKU-1' });
    });

    it('rejects a discontinued product', () => {
      spec.given([registered, discontinued]).when(update({ name: 'x' })).thenRejects('product_discontinued', { sku: 'SKU-1' });
    });

    it('rejects an update that changes nothing (no_change), attributes compared by content', () => {
      spec.given([registered]).when(update({ name: 'Bolt M8', unit: 'EA', attributes: { material: 'steel' } })).thenRejects('no_change', { sku: 'SKU-1' });
    });

    it('applies earlier updates before comparing', () => {
      const renamed: CatalogEvent = { type: 'ProductUpdated', data: { ...unchanged, name: 'Bolt' } };
      spec.given([registered, renamed]).when(update({ name: 'Bolt' })).thenRejects('no_change');
      spec.given([registered, renamed]).when(update({ name: 'Bolt M8' })).then([{ type: 'ProductUpdated', data: { ...unchanged, name: 'Bolt M8' } }]);
    });
  });

  describe('DiscontinueProduct', () => {
    it('discontinues an active product, with or without a reason', () => {
      spec.given([registered]).when(discontinue('end of line')).then([{ type: 'ProductDiscontinued', data: { sku: 'SKU-1', reason: 'end of line' } }]);
      spec.given([registered]).when(discontinue()).then([{ type: 'ProductDiscontinued', data: { sku: 'SKU-1', reason: null } }]);
    });

    it('rejects an unknown product', () => {
      spec.given([]).when(discontinue()).thenRejects('unknown_product', { sku: 'SKU-1' });
    });

    it('rejects discontinuing twice', () => {
      spec.given([registered, discontinued]).when(discontinue()).thenRejects('product_discontinued', { sku: 'SKU-1' });
    });
  });

  it('evolve folds the history into the product state', () => {
    const history: CatalogEvent[] = [registered, { type: 'ProductUpdated', data: { ...unchanged, unit: 'BOX', attributes: { pack: '100' } } }, discontinued];
    expect(history.reduce(catalogDecider.evolve, catalogDecider.initialState())).toEqual({
      sku: 'SKU-1',
      name: 'Bolt M8',
      description: null,
      unit: 'BOX',
      attributes: { pack: '100' },
      status: 'discontinued',
    });
  });
});

describe('catalog command payloads', () => {
  const issuePaths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => result.error?.issues.map((i) => i.path.join('.'));

  it('RegisterProduct: upper-cases the unit and accepts flat string attributes', () => {
    expect(registerProductSchema.parse({ sku: 'A-1', name: ' Nut ', unit: 'kg', attributes: { size: 'M8' } })).toEqual({ sku: 'A-1', name: 'Nut', unit: 'KG', attributes: { size: 'M8' } });
  });

  it.each([
    [{ sku: 'A', unit: 'EA' }, 'name'],
    [{ sku: 'A', name: 'x', unit: 'kilo gram' }, 'unit'],
    [{ sku: 'A', name: 'x', unit: '' }, 'unit'],
    [{ sku: 'A', name: 'x', unit: 'EA', attributes: { size: 8 } }, 'attributes.size'],
    [{ sku: 'A', name: 'x', unit: 'EA', attributes: { nested: { a: 'b' } } }, 'attributes.nested'],
    [{ sku: 'A', name: 'x', unit: 'EA', colour: 'red' }, ''],
    [{ sku: 'not a sku', name: 'x', unit: 'EA' }, 'sku'],
  ])('RegisterProduct rejects %j at %p', (payload, path) => {
    const result = registerProductSchema.safeParse(payload);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it('UpdateProduct needs at least one field besides the SKU', () => {
    const result = updateProductSchema.safeParse({ sku: 'A' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/name, description, unit, attributes/);
    expect(updateProductSchema.safeParse({ sku: 'A', unit: 'box' }).data).toEqual({ sku: 'A', unit: 'BOX' });
  });

  it('DiscontinueProduct takes an optional reason and nothing else', () => {
    expect(discontinueProductSchema.safeParse({ sku: 'A' }).success).toBe(true);
    expect(discontinueProductSchema.safeParse({ sku: 'A', reason: 'eol', extra: 1 }).success).toBe(false);
  });
});
