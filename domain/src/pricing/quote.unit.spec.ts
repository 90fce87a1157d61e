import { quote, rangesOverlap, tierPrice, type PriceRule } from './quote';

const JAN = '2026-01-01T00:00:00.000Z';
const NEXT = '2027-01-01T00:00:00.000Z';
const NOW = '2026-11-23T10:00:00.000Z';

const base = (unitPrice: number, effectiveFrom = JAN, effectiveTo: string | null = null): PriceRule => ({
  kind: 'base',
  sku: 'SKU-1',
  customerId: null,
  unitPrice,
  tiers: null,
  effectiveFrom,
  effectiveTo,
});
const override = (
  customerId: string,
  unitPrice: number,
  effectiveFrom = JAN,
  effectiveTo: string | null = null,
): PriceRule => ({
  kind: 'customer',
  sku: 'SKU-1',
  customerId,
  unitPrice,
  tiers: null,
  effectiveFrom,
  effectiveTo,
});
const tiers = (
  customerId: string | null,
  prices: [number, number],
  effectiveFrom = JAN,
  effectiveTo: string | null = null,
): PriceRule => ({
  kind: 'tiers',
  sku: 'SKU-1',
  customerId,
  unitPrice: null,
  tiers: [
    { minQuantity: 1, unitPrice: prices[0] },
    { minQuantity: 10, unitPrice: prices[1] },
  ],
  effectiveFrom,
  effectiveTo,
});

const all = [base(1299), tiers(null, [1250, 1100]), tiers('C-1', [1200, 1000]), override('C-1', 999)];

describe('quote', () => {
  it('customer override wins over everything for its customer', () => {
    expect(quote(all, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 20, at: NOW })).toEqual({
      unitPrice: 999,
      total: 19980,
      currency: 'EUR',
      rule: 'customer_override',
      effectiveFrom: JAN,
      effectiveTo: null,
    });
  });

  it('customer tier comes next, at the highest tier the quantity reaches', () => {
    const rules = all.filter((r) => r.kind !== 'customer');
    expect(quote(rules, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 10, at: NOW })).toMatchObject({
      unitPrice: 1000,
      total: 10000,
      rule: 'customer_tier',
    });
    expect(quote(rules, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 9, at: NOW })).toMatchObject({
      unitPrice: 1200,
      total: 10800,
      rule: 'customer_tier',
    });
  });

  it('general tiers for other customers and anonymous quotes', () => {
    expect(quote(all, 'EUR', { customerId: 'C-2', sku: 'SKU-1', quantity: 12, at: NOW })).toMatchObject({
      unitPrice: 1100,
      total: 13200,
      rule: 'tier',
    });
    expect(quote(all, 'EUR', { sku: 'SKU-1', quantity: 1, at: NOW })).toMatchObject({ unitPrice: 1250, rule: 'tier' });
  });

  it('base price when nothing more specific applies', () => {
    expect(quote([base(1299)], 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 3, at: NOW })).toEqual({
      unitPrice: 1299,
      total: 3897,
      currency: 'EUR',
      rule: 'base',
      effectiveFrom: JAN,
      effectiveTo: null,
    });
  });

  it('none applies: another SKU, or before any rule is effective', () => {
    expect(quote(all, 'EUR', { customerId: 'C-1', sku: 'SKU-2', quantity: 1, at: NOW })).toBeUndefined();
    expect(
      quote(all, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 1, at: '2025-12-31T23:59:59.999Z' }),
    ).toBeUndefined();
  });

  describe('effective dates', () => {
    const rules = [
      base(1299, JAN, NEXT),
      base(1399, NEXT),
      override('C-1', 999, '2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'),
    ];

    it('picks the rule effective at `at`: past, current and future-dated', () => {
      expect(quote(rules, 'EUR', { sku: 'SKU-1', quantity: 1, at: NOW })).toMatchObject({
        unitPrice: 1299,
        effectiveTo: NEXT,
      });
      expect(quote(rules, 'EUR', { sku: 'SKU-1', quantity: 1, at: NEXT })).toMatchObject({
        unitPrice: 1399,
        effectiveFrom: NEXT,
        effectiveTo: null,
      });
      expect(quote(rules, 'EUR', { sku: 'SKU-1', quantity: 1, at: new Date('2030-01-01T00:00:00Z') })).toMatchObject({
        unitPrice: 1399,
      });
    });

    it('an expired override falls back to the base price; during its range it wins', () => {
      expect(
        quote(rules, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 1, at: '2026-06-15T00:00:00Z' }),
      ).toMatchObject({ unitPrice: 999, rule: 'customer_override' });
      expect(
        quote(rules, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 1, at: '2026-07-01T00:00:00Z' }),
      ).toMatchObject({ unitPrice: 1299, rule: 'base' });
      expect(
        quote(rules, 'EUR', { customerId: 'C-1', sku: 'SKU-1', quantity: 1, at: '2026-05-31T23:59:59Z' }),
      ).toMatchObject({ rule: 'base' });
    });
  });

  it('helpers: half-open overlap and tier lookup', () => {
    expect(rangesOverlap({ effectiveFrom: JAN, effectiveTo: NEXT }, { effectiveFrom: NEXT, effectiveTo: null })).toBe(
      false,
    );
    expect(rangesOverlap({ effectiveFrom: JAN, effectiveTo: null }, { effectiveFrom: NEXT, effectiveTo: null })).toBe(
      true,
    );
    expect(
      tierPrice(
        [
          { minQuantity: 1, unitPrice: 5 },
          { minQuantity: 100, unitPrice: 4 },
        ],
        100,
      ),
    ).toBe(4);
  });
});
