import { projectionSpec } from '@verity/events/testing';
import { cacheSkuRules, quoteCacheKey } from './pricing-cache';
import { pricingProjection } from './projection';

const spec = projectionSpec(pricingProjection);
const onList = { metadata: { subject: 'acme/PL-1' } };

const created = {
  type: 'verity.pricing.PriceListCreated' as const,
  data: { priceListId: 'PL-1', name: 'Wholesale', currency: 'EUR' },
  ...onList,
};
const basePrice = (unitPrice: number) => ({
  type: 'verity.pricing.BasePriceSet' as const,
  data: { priceListId: 'PL-1', sku: 'S-1', unitPrice, effectiveFrom: '2025-01-01T00:00:00.000Z', effectiveTo: null },
  ...onList,
});
const RULE_COLUMNS = [
  'tenant',
  'price_list_id',
  'version',
  'kind',
  'sku',
  'customer_id',
  'unit_price',
  'tiers',
  'effective_from',
  'effective_to',
];
const rule = {
  tenant: 'acme',
  price_list_id: 'PL-1',
  sku: 'S-1',
  effective_from: new Date('2025-01-01T00:00:00.000Z'),
  effective_to: null,
};

describe('pricing projection', () => {
  it('PriceListCreated adds the list and notices the list alone (no SKU, no key)', () =>
    spec
      .given([])
      .when([created])
      .then(async ({ table, notices }) => {
        expect(await table('price_lists').select('tenant', 'price_list_id', 'name', 'currency', 'version')).toEqual([
          { tenant: 'acme', price_list_id: 'PL-1', name: 'Wholesale', currency: 'EUR', version: 1 },
        ]);
        expect(notices).toEqual([
          { context: 'pricing', tenant: 'acme', priceListId: 'PL-1', sku: null, key: null, version: 1 },
        ]);
      }));

  it('BasePriceSet adds a base rule, moves the list version, invalidates the SKU quotes and notices them', () =>
    spec
      .given([created])
      .when([basePrice(1250)])
      .then(async ({ table, redis, cached, notices, keyPrefix }) => {
        expect(await table('price_rules').select(RULE_COLUMNS)).toEqual([
          { ...rule, version: 2, kind: 'base', customer_id: null, unit_price: '1250', tiers: null },
        ]);
        expect(await table('price_lists').select('version')).toEqual([{ version: 2 }]);
        const key = quoteCacheKey(keyPrefix, 'acme', 'PL-1', 'S-1');
        expect(await cached(key)).toBeUndefined();
        // The invalidation refuses rules read before the commit and takes those read after it.
        const entry = { tenant: 'acme', priceListId: 'PL-1', sku: 'S-1', currency: 'EUR', rules: [] };
        expect(await cacheSkuRules(redis, keyPrefix, { ...entry, version: 1 })).toBe(false);
        expect(await cacheSkuRules(redis, keyPrefix, { ...entry, version: 2 })).toBe(true);
        expect(notices).toEqual([
          { context: 'pricing', tenant: 'acme', priceListId: 'PL-1', sku: 'S-1', key, version: 2 },
        ]);
      }));

  it('CustomerPriceSet adds a rule for one customer', () =>
    spec
      .given([created])
      .when([
        {
          type: 'verity.pricing.CustomerPriceSet',
          data: {
            priceListId: 'PL-1',
            customerId: 'C-9',
            sku: 'S-1',
            unitPrice: 990,
            effectiveFrom: '2025-01-01T00:00:00.000Z',
            effectiveTo: '2025-12-31T00:00:00.000Z',
          },
          ...onList,
        },
      ])
      .then(async ({ table, notices, keyPrefix }) => {
        expect(await table('price_rules').select(RULE_COLUMNS)).toEqual([
          {
            ...rule,
            version: 2,
            kind: 'customer',
            customer_id: 'C-9',
            unit_price: '990',
            tiers: null,
            effective_to: new Date('2025-12-31T00:00:00.000Z'),
          },
        ]);
        expect(notices).toEqual([
          {
            context: 'pricing',
            tenant: 'acme',
            priceListId: 'PL-1',
            sku: 'S-1',
            key: quoteCacheKey(keyPrefix, 'acme', 'PL-1', 'S-1'),
            version: 2,
          },
        ]);
      }));

  it('QuantityTiersSet adds a tiers rule, without a unit price', () =>
    spec
      .given([created])
      .when([
        {
          type: 'verity.pricing.QuantityTiersSet',
          data: {
            priceListId: 'PL-1',
            sku: 'S-1',
            customerId: null,
            tiers: [
              { minQuantity: 1, unitPrice: 1000 },
              { minQuantity: 100, unitPrice: 900 },
            ],
            effectiveFrom: '2025-01-01T00:00:00.000Z',
            effectiveTo: null,
          },
          ...onList,
        },
      ])
      .then(async ({ table, notices, keyPrefix }) => {
        expect(await table('price_rules').select(RULE_COLUMNS)).toEqual([
          {
            ...rule,
            version: 2,
            kind: 'tiers',
            customer_id: null,
            unit_price: null,
            tiers: [
              { minQuantity: 1, unitPrice: 1000 },
              { minQuantity: 100, unitPrice: 900 },
            ],
          },
        ]);
        expect(notices).toEqual([
          {
            context: 'pricing',
            tenant: 'acme',
            priceListId: 'PL-1',
            sku: 'S-1',
            key: quoteCacheKey(keyPrefix, 'acme', 'PL-1', 'S-1'),
            version: 2,
          },
        ]);
      }));

  it('notices a SKU once per batch, at the newest version the batch set', () =>
    spec
      .given([created])
      .when([basePrice(1250), basePrice(1300)])
      .then(async ({ table, notices, keyPrefix }) => {
        expect(await table('price_rules').orderBy('version').select('version', 'unit_price')).toEqual([
          { version: 2, unit_price: '1250' },
          { version: 3, unit_price: '1300' },
        ]);
        expect(notices).toEqual([
          {
            context: 'pricing',
            tenant: 'acme',
            priceListId: 'PL-1',
            sku: 'S-1',
            key: quoteCacheKey(keyPrefix, 'acme', 'PL-1', 'S-1'),
            version: 3,
          },
        ]);
      }));

  describe('a base line replaced or removed (named by SKU and start)', () => {
    const FROM = '2025-01-01T00:00:00.000Z';
    const customerPrice = {
      type: 'verity.pricing.CustomerPriceSet' as const,
      data: {
        priceListId: 'PL-1',
        customerId: 'C-9',
        sku: 'S-1',
        unitPrice: 990,
        effectiveFrom: FROM,
        effectiveTo: null,
      },
      ...onList,
    };
    const later = {
      type: 'verity.pricing.BasePriceSet' as const,
      data: {
        priceListId: 'PL-1',
        sku: 'S-1',
        unitPrice: 1400,
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        effectiveTo: null,
      },
      ...onList,
    };
    const replaced = {
      type: 'verity.pricing.BasePriceReplaced' as const,
      data: {
        priceListId: 'PL-1',
        sku: 'S-1',
        effectiveFrom: FROM,
        unitPrice: 1350,
        effectiveTo: '2026-01-01T00:00:00.000Z',
        previousUnitPrice: 1250,
        previousEffectiveTo: null,
      },
      ...onList,
    };
    const removed = {
      type: 'verity.pricing.BasePriceRemoved' as const,
      data: {
        priceListId: 'PL-1',
        sku: 'S-1',
        effectiveFrom: FROM,
        previousUnitPrice: 1250,
        previousEffectiveTo: null,
      },
      ...onList,
    };

    it("BasePriceReplaced gives that line the new terms and version; the SKU's other rules stay", () =>
      spec
        .given([created, basePrice(1250), customerPrice])
        .when([replaced])
        .then(async ({ table, cached, notices, keyPrefix }) => {
          expect(await table('price_rules').orderBy('version').select(RULE_COLUMNS)).toEqual([
            {
              ...rule,
              version: 3,
              kind: 'customer',
              customer_id: 'C-9',
              unit_price: '990',
              tiers: null,
            },
            {
              ...rule,
              version: 4,
              kind: 'base',
              customer_id: null,
              unit_price: '1350',
              tiers: null,
              effective_to: new Date('2026-01-01T00:00:00.000Z'),
            },
          ]);
          expect(await table('price_lists').select('version')).toEqual([{ version: 4 }]);
          const key = quoteCacheKey(keyPrefix, 'acme', 'PL-1', 'S-1');
          expect(await cached(key)).toBeUndefined();
          expect(notices).toEqual([
            { context: 'pricing', tenant: 'acme', priceListId: 'PL-1', sku: 'S-1', key, version: 4 },
          ]);
        }));

    it('BasePriceRemoved deletes that line alone and moves the list version', () =>
      spec
        .given([created, basePrice(1250), later, customerPrice])
        .when([removed])
        .then(async ({ table, notices, keyPrefix }) => {
          expect(await table('price_rules').orderBy('version').select('version', 'kind', 'unit_price')).toEqual([
            { version: 3, kind: 'base', unit_price: '1400' },
            { version: 4, kind: 'customer', unit_price: '990' },
          ]);
          expect(await table('price_lists').select('version')).toEqual([{ version: 5 }]);
          expect(notices).toEqual([
            {
              context: 'pricing',
              tenant: 'acme',
              priceListId: 'PL-1',
              sku: 'S-1',
              key: quoteCacheKey(keyPrefix, 'acme', 'PL-1', 'S-1'),
              version: 5,
            },
          ]);
        }));
  });
});
