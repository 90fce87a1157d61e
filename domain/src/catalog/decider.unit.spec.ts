import { deciderSpec } from '@verity/core';
import { conflictIdOf } from '../conflict-id';
import { catalogDecider } from './decider';
import {
  discontinueProductSchema,
  registerProductSchema,
  resolveConflictSchema,
  updateProductSchema,
  type CatalogCommand,
} from './commands';
import type { CatalogEvent } from './events';

const spec = deciderSpec(catalogDecider);
const metadata = { tenant: 'acme', now: new Date('2026-11-23T10:00:00Z'), commandId: 'cmd-1' };
/** A command without a source came through the API when it arrived. */
const api = { sourceSystem: 'api', sourceTimestamp: '2026-11-23T10:00:00.000Z' };

const register = (
  data: Partial<Extract<CatalogCommand, { type: 'RegisterProduct' }>['data']> = {},
): CatalogCommand => ({
  type: 'RegisterProduct',
  data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', ...data },
  metadata,
});
const update = (data: Omit<Extract<CatalogCommand, { type: 'UpdateProduct' }>['data'], 'sku'>): CatalogCommand => ({
  type: 'UpdateProduct',
  data: { sku: 'SKU-1', ...data },
  metadata,
});
const discontinue = (reason?: string): CatalogCommand => ({
  type: 'DiscontinueProduct',
  data: { sku: 'SKU-1', ...(reason ? { reason } : {}) },
  metadata,
});

const registered: CatalogEvent = {
  type: 'ProductRegistered',
  data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', description: null, attributes: { material: 'steel' }, ...api },
};
const discontinued: CatalogEvent = { type: 'ProductDiscontinued', data: { sku: 'SKU-1', reason: null } };
const unchanged = { sku: 'SKU-1', name: null, description: null, unit: null, attributes: null, ...api };

describe('catalog decider', () => {
  describe('RegisterProduct', () => {
    it('registers a new SKU', () => {
      spec
        .given([])
        .when(register({ description: 'zinc plated', attributes: { material: 'steel' } }))
        .then([
          {
            type: 'ProductRegistered',
            data: {
              sku: 'SKU-1',
              name: 'Bolt M8',
              unit: 'EA',
              description: 'zinc plated',
              attributes: { material: 'steel' },
              ...api,
            },
          },
        ]);
    });

    it('without description and attributes, registers null and an empty map', () => {
      spec
        .given([])
        .when(register())
        .then([
          {
            type: 'ProductRegistered',
            data: { sku: 'SKU-1', name: 'Bolt M8', unit: 'EA', description: null, attributes: {}, ...api },
          },
        ]);
    });

    it('rejects a SKU already registered for the tenant', () => {
      spec.given([registered]).when(register()).thenRejects('product_already_registered', { sku: 'SKU-1' });
    });

    it('rejects registering a discontinued SKU again', () => {
      spec
        .given([registered, discontinued])
        .when(register())
        .thenRejects('product_already_registered', { sku: 'SKU-1' });
    });

    it('rejects a command for another SKU on this stream', () => {
      spec
        .given([{ ...registered, data: { ...registered.data, sku: 'SKU-2' } }])
        .when(register())
        .thenRejects('wrong_stream');
    });
  });

  describe('UpdateProduct', () => {
    it('emits only the fields that change', () => {
      spec
        .given([registered])
        .when(update({ name: 'Bolt M8 x 40', unit: 'EA' }))
        .then([{ type: 'ProductUpdated', data: { ...unchanged, name: 'Bolt M8 x 40' } }]);
    });

    it('replaces the attribute map when it differs', () => {
      spec
        .given([registered])
        .when(update({ attributes: { material: 'steel', finish: 'zinc' }, description: 'new' }))
        .then([
          {
            type: 'ProductUpdated',
            data: { ...unchanged, description: 'new', attributes: { material: 'steel', finish: 'zinc' } },
          },
        ]);
    });

    it('rejects an unknown product', () => {
      spec
        .given([])
        .when(update({ name: 'x' }))
        .thenRejects('unknown_product', { sku: 'SKU-1' });
    });

    it('rejects a discontinued product', () => {
      spec
        .given([registered, discontinued])
        .when(update({ name: 'x' }))
        .thenRejects('product_discontinued', { sku: 'SKU-1' });
    });

    it('rejects an update that changes nothing (no_change), attributes compared by content', () => {
      spec
        .given([registered])
        .when(update({ name: 'Bolt M8', unit: 'EA', attributes: { material: 'steel' } }))
        .thenRejects('no_change', { sku: 'SKU-1' });
    });

    it('applies earlier updates before comparing', () => {
      const renamed: CatalogEvent = { type: 'ProductUpdated', data: { ...unchanged, name: 'Bolt' } };
      spec
        .given([registered, renamed])
        .when(update({ name: 'Bolt' }))
        .thenRejects('no_change');
      spec
        .given([registered, renamed])
        .when(update({ name: 'Bolt M8' }))
        .then([{ type: 'ProductUpdated', data: { ...unchanged, name: 'Bolt M8' } }]);
    });
  });

  describe('DiscontinueProduct', () => {
    it('discontinues an active product, with or without a reason', () => {
      spec
        .given([registered])
        .when(discontinue('end of line'))
        .then([{ type: 'ProductDiscontinued', data: { sku: 'SKU-1', reason: 'end of line' } }]);
      spec
        .given([registered])
        .when(discontinue())
        .then([{ type: 'ProductDiscontinued', data: { sku: 'SKU-1', reason: null } }]);
    });

    it('rejects an unknown product', () => {
      spec.given([]).when(discontinue()).thenRejects('unknown_product', { sku: 'SKU-1' });
    });

    it('rejects discontinuing twice', () => {
      spec.given([registered, discontinued]).when(discontinue()).thenRejects('product_discontinued', { sku: 'SKU-1' });
    });
  });

  it('evolve folds the history into the product state', () => {
    const history: CatalogEvent[] = [
      registered,
      { type: 'ProductUpdated', data: { ...unchanged, unit: 'BOX', attributes: { pack: '100' } } },
      discontinued,
    ];
    expect(history.reduce(catalogDecider.evolve, catalogDecider.initialState())).toEqual({
      sku: 'SKU-1',
      name: 'Bolt M8',
      description: null,
      unit: 'BOX',
      attributes: { pack: '100' },
      status: 'discontinued',
      provenance: { name: api, description: api, unit: api, attributes: api },
      conflicts: {},
    });
  });
});

describe('catalog decider: conflicts between source systems', () => {
  /** An update from `system` at the source time `at`, decided on the tenant's authority rules. */
  const updateFrom = (
    system: string,
    at: string,
    data: Omit<Extract<CatalogCommand, { type: 'UpdateProduct' }>['data'], 'sku'>,
    rules: Record<string, string[]> | null = null,
  ): CatalogCommand => ({
    type: 'UpdateProduct',
    data: { sku: 'SKU-1', ...data },
    metadata: { ...metadata, commandId: 'cmd-7', source: { system, at: new Date(at) } },
    references: { authority: rules },
  });
  const storefrontOwnsDescriptions = { 'catalog.description': ['shopify'] };
  const conflictId = conflictIdOf('acme', 'cmd-7', 'catalog.description', '');
  const refused: CatalogEvent = {
    type: 'ConflictDetected',
    data: {
      conflictId,
      sku: 'SKU-1',
      location: null,
      field: 'catalog.description',
      currentValue: 'null',
      currentSourceSystem: 'api',
      currentSourceTimestamp: '2026-11-23T10:00:00.000Z',
      incomingValue: '"from the ERP"',
      incomingSourceSystem: 'netsuite',
      incomingSourceTimestamp: '2026-11-23T11:00:00.000Z',
      rule: 'not_owner',
      owners: ['shopify'],
    },
  };
  const resolve = (accept: 'current' | 'incoming', id = conflictId): CatalogCommand => ({
    type: 'ResolveConflict',
    data: { sku: 'SKU-1', conflictId: id, accept },
    metadata,
  });

  it('a change from a source that does not own the field is recorded as a conflict with both values and the rule; the other fields apply', () => {
    spec
      .given([registered])
      .when(
        updateFrom(
          'netsuite',
          '2026-11-23T11:00:00Z',
          { description: 'from the ERP', name: 'Bolt M8 zinc' },
          storefrontOwnsDescriptions,
        ),
      )
      .then([
        {
          type: 'ProductUpdated',
          data: {
            ...unchanged,
            name: 'Bolt M8 zinc',
            sourceSystem: 'netsuite',
            sourceTimestamp: '2026-11-23T11:00:00.000Z',
          },
        },
        refused,
      ]);
  });

  it('the owning source changes the field', () => {
    spec
      .given([registered])
      .when(
        updateFrom(
          'shopify',
          '2026-11-23T11:00:00Z',
          { description: 'from the storefront' },
          storefrontOwnsDescriptions,
        ),
      )
      .then([
        {
          type: 'ProductUpdated',
          data: {
            ...unchanged,
            description: 'from the storefront',
            sourceSystem: 'shopify',
            sourceTimestamp: '2026-11-23T11:00:00.000Z',
          },
        },
      ]);
  });

  it('a change older than the last applied change of the field is a conflict, whoever sends it', () => {
    spec
      .given([registered])
      .when(updateFrom('erp-db', '2026-11-23T09:59:59Z', { name: 'Old name' }))
      .then([
        {
          type: 'ConflictDetected',
          data: {
            ...refused.data,
            conflictId: conflictIdOf('acme', 'cmd-7', 'catalog.name', ''),
            field: 'catalog.name',
            currentValue: '"Bolt M8"',
            incomingValue: '"Old name"',
            incomingSourceSystem: 'erp-db',
            incomingSourceTimestamp: '2026-11-23T09:59:59.000Z',
            rule: 'older_than_applied',
            owners: [],
          },
        },
      ]);
  });

  it('without a rule, a newer change from any source applies', () => {
    spec
      .given([registered])
      .when(updateFrom('sap-b1', '2026-11-23T10:00:01Z', { unit: 'BOX' }))
      .then([
        {
          type: 'ProductUpdated',
          data: { ...unchanged, unit: 'BOX', sourceSystem: 'sap-b1', sourceTimestamp: '2026-11-23T10:00:01.000Z' },
        },
      ]);
  });

  it('a non-owner sending the value the product already holds is no conflict (no_change)', () => {
    spec
      .given([registered])
      .when(updateFrom('netsuite', '2026-11-23T11:00:00Z', { name: 'Bolt M8' }, { 'catalog.name': ['erp-db'] }))
      .thenRejects('no_change');
  });

  it('ResolveConflict accepting incoming applies the refused value with its own source and time', () => {
    spec
      .given([registered, refused])
      .when(resolve('incoming'))
      .then([
        {
          type: 'ConflictResolved',
          data: { conflictId, sku: 'SKU-1', location: null, field: 'catalog.description', accepted: 'incoming' },
        },
        {
          type: 'ProductUpdated',
          data: {
            ...unchanged,
            description: 'from the ERP',
            sourceSystem: 'netsuite',
            sourceTimestamp: '2026-11-23T11:00:00.000Z',
          },
        },
      ]);
  });

  it('ResolveConflict accepting current keeps the value and closes the conflict', () => {
    spec
      .given([registered, refused])
      .when(resolve('current'))
      .then([
        {
          type: 'ConflictResolved',
          data: { conflictId, sku: 'SKU-1', location: null, field: 'catalog.description', accepted: 'current' },
        },
      ]);
  });

  it('ResolveConflict rejects an unknown or already resolved conflict', () => {
    spec.given([registered]).when(resolve('current')).thenRejects('conflict_not_found', { conflictId });
    const resolved: CatalogEvent = {
      type: 'ConflictResolved',
      data: { conflictId, sku: 'SKU-1', location: null, field: 'catalog.description', accepted: 'current' },
    };
    spec
      .given([registered, refused, resolved])
      .when(resolve('incoming'))
      .thenRejects('conflict_not_found', { conflictId });
  });

  it('ResolveConflict cannot apply an incoming value to a discontinued product, but can keep the current one', () => {
    spec.given([registered, refused, discontinued]).when(resolve('incoming')).thenRejects('product_discontinued');
    spec
      .given([registered, refused, discontinued])
      .when(resolve('current'))
      .then([
        {
          type: 'ConflictResolved',
          data: { conflictId, sku: 'SKU-1', location: null, field: 'catalog.description', accepted: 'current' },
        },
      ]);
  });

  it('events written before v2 carry no source: their fields take any newer change', () => {
    const v1: CatalogEvent = { ...registered, data: { ...registered.data, sourceSystem: null, sourceTimestamp: null } };
    spec
      .given([v1])
      .when(updateFrom('erp-db', '2020-01-01T00:00:00Z', { name: 'Bolt' }))
      .then([
        {
          type: 'ProductUpdated',
          data: { ...unchanged, name: 'Bolt', sourceSystem: 'erp-db', sourceTimestamp: '2020-01-01T00:00:00.000Z' },
        },
      ]);
  });

  it('ResolveConflict takes a conflict id as ConflictDetected names it', () => {
    expect(resolveConflictSchema.safeParse({ sku: 'SKU-1', conflictId, accept: 'incoming' }).success).toBe(true);
    expect(
      resolveConflictSchema.safeParse({ sku: 'SKU-1', conflictId: 'x', accept: 'incoming' }).error?.issues[0]?.path,
    ).toEqual(['conflictId']);
    expect(
      resolveConflictSchema.safeParse({ sku: 'SKU-1', conflictId, accept: 'both' }).error?.issues[0]?.path,
    ).toEqual(['accept']);
  });
});

describe('catalog command payloads', () => {
  const issuePaths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
    result.error?.issues.map((i) => i.path.join('.'));

  it('RegisterProduct: upper-cases the unit and accepts flat string attributes', () => {
    expect(registerProductSchema.parse({ sku: 'A-1', name: ' Nut ', unit: 'kg', attributes: { size: 'M8' } })).toEqual({
      sku: 'A-1',
      name: 'Nut',
      unit: 'KG',
      attributes: { size: 'M8' },
    });
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
