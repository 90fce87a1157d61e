import type { SkuRules } from '@verity/projection-pricing';
import { quoteAnswer } from './pricing-quote';

const JAN = '2026-01-01T00:00:00.000Z';
const entry: SkuRules = {
  tenant: 'acme',
  priceListId: 'PL-1',
  sku: 'SKU-1',
  currency: 'EUR',
  version: 3,
  rules: [
    {
      kind: 'base',
      sku: 'SKU-1',
      customerId: null,
      unitPrice: 1299,
      tiers: null,
      effectiveFrom: JAN,
      effectiveTo: null,
      version: 2,
    },
    {
      kind: 'customer',
      sku: 'SKU-1',
      customerId: 'C-VIP',
      unitPrice: 999,
      tiers: null,
      effectiveFrom: JAN,
      effectiveTo: null,
      version: 3,
    },
  ],
};

describe('quoteAnswer', () => {
  it('answers the question with the price of the winning rule', () => {
    expect(
      quoteAnswer(entry, {
        priceListId: 'PL-1',
        customerId: 'C-VIP',
        sku: 'SKU-1',
        quantity: 3,
        at: '2026-06-01T00:00:00.000Z',
      }),
    ).toEqual({
      priceListId: 'PL-1',
      customerId: 'C-VIP',
      sku: 'SKU-1',
      quantity: 3,
      at: '2026-06-01T00:00:00.000Z',
      unitPrice: 999,
      total: 2997,
      currency: 'EUR',
      rule: 'customer_override',
      effectiveFrom: JAN,
      effectiveTo: null,
    });
  });

  it('says customerId null without a customer, and gives the base price', () => {
    expect(
      quoteAnswer(entry, { priceListId: 'PL-1', sku: 'SKU-1', quantity: 2, at: '2026-06-01T00:00:00.000Z' }),
    ).toMatchObject({ customerId: null, unitPrice: 1299, total: 2598, rule: 'base' });
  });

  it('is undefined when no rule is in effect at the instant', () => {
    expect(
      quoteAnswer(entry, {
        priceListId: 'PL-1',
        customerId: 'C-VIP',
        sku: 'SKU-1',
        quantity: 1,
        at: '2025-12-31T23:59:59.999Z',
      }),
    ).toBeUndefined();
  });
});
