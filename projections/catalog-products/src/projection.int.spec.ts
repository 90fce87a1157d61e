import { projectionSpec } from '@verity/events/testing';
import { productCacheKey } from './product-cache';
import { catalogProductsProjection } from './projection';

const spec = projectionSpec(catalogProductsProjection);
const onS1 = { metadata: { subject: 'acme/S-1' } };

const registered = {
  type: 'verity.catalog.ProductRegistered' as const,
  data: {
    sku: 'S-1',
    name: 'Bolt',
    unit: 'pc',
    description: 'M6 bolt',
    attributes: { size: 'M6' },
    sourceSystem: null,
    sourceTimestamp: null,
  },
  ...onS1,
};
const noChange = {
  name: null,
  description: null,
  unit: null,
  attributes: null,
  sourceSystem: null,
  sourceTimestamp: null,
};

const product = {
  tenant: 'acme',
  sku: 'S-1',
  name: 'Bolt',
  unit: 'pc',
  description: 'M6 bolt',
  attributes: { size: 'M6' },
  status: 'active',
};

describe('catalog-products projection', () => {
  it('ProductRegistered adds an active product, caches its view and notices it', () =>
    spec
      .given([])
      .when([registered])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(
          await table('products').select(
            'tenant',
            'sku',
            'name',
            'unit',
            'description',
            'attributes',
            'status',
            'version',
          ),
        ).toEqual([{ ...product, version: 1 }]);
        const key = productCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toEqual({ ...product, version: 1, updatedAt: '2025-01-01T00:00:00.000Z' });
        expect(notices).toEqual([{ context: 'catalog', tenant: 'acme', sku: 'S-1', key, version: 1 }]);
      }));

  it('ProductUpdated changes the fields it carries and keeps the others', () =>
    spec
      .given([registered])
      .when([
        {
          type: 'verity.catalog.ProductUpdated',
          data: { ...noChange, sku: 'S-1', name: 'Hex bolt', attributes: { size: 'M8' } },
          ...onS1,
        },
      ])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        const updated = { ...product, name: 'Hex bolt', attributes: { size: 'M8' }, version: 2 };
        expect(
          await table('products').select(
            'tenant',
            'sku',
            'name',
            'unit',
            'description',
            'attributes',
            'status',
            'version',
          ),
        ).toEqual([updated]);
        const key = productCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toEqual({ ...updated, updatedAt: '2025-01-01T00:00:01.000Z' });
        expect(notices).toEqual([{ context: 'catalog', tenant: 'acme', sku: 'S-1', key, version: 2 }]);
      }));

  it('ProductDiscontinued marks the product discontinued', () =>
    spec
      .given([registered])
      .when([{ type: 'verity.catalog.ProductDiscontinued', data: { sku: 'S-1', reason: 'end of line' }, ...onS1 }])
      .then(async ({ table, cached, notices, keyPrefix }) => {
        expect(await table('products').select('sku', 'status', 'version')).toEqual([
          { sku: 'S-1', status: 'discontinued', version: 2 },
        ]);
        const key = productCacheKey(keyPrefix, 'acme', 'S-1');
        expect(await cached(key)).toMatchObject({ sku: 'S-1', name: 'Bolt', status: 'discontinued', version: 2 });
        expect(notices).toEqual([{ context: 'catalog', tenant: 'acme', sku: 'S-1', key, version: 2 }]);
      }));

  it('keeps tenants apart: the same SKU of two tenants is two products, each noticed', () =>
    spec
      .given([])
      .when([registered, { ...registered, metadata: { tenant: 'globex', subject: 'globex/S-1' } }])
      .then(async ({ table, notices, keyPrefix }) => {
        expect(await table('products').orderBy('tenant').select('tenant', 'sku', 'version')).toEqual([
          { tenant: 'acme', sku: 'S-1', version: 1 },
          { tenant: 'globex', sku: 'S-1', version: 1 },
        ]);
        expect(notices.map((n) => [n.tenant, n.key])).toEqual([
          ['acme', productCacheKey(keyPrefix, 'acme', 'S-1')],
          ['globex', productCacheKey(keyPrefix, 'globex', 'S-1')],
        ]);
      }));
});
