import { deciderSpec } from '@verity/core';
import { pricingDecider } from './decider';
import type { PricingCommand } from './commands';
import type { PricingEvent } from './events';

const spec = deciderSpec(pricingDecider);
const metadata = { tenant: 'acme', now: new Date('2026-11-23T10:00:00Z') };
const JAN = '2026-01-01T00:00:00.000Z';
const JUL = '2026-07-01T00:00:00.000Z';
const NEXT = '2027-01-01T00:00:00.000Z';

const cmd = <T extends PricingCommand['type']>(type: T, data: Record<string, unknown>): PricingCommand =>
  ({ type, data: { priceListId: 'PL-1', ...data }, metadata }) as PricingCommand;

const created: PricingEvent = {
  type: 'PriceListCreated',
  data: { priceListId: 'PL-1', name: 'Wholesale', currency: 'EUR' },
};
const base = (effectiveFrom = JAN, effectiveTo: string | null = NEXT): PricingEvent => ({
  type: 'BasePriceSet',
  data: { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1299, effectiveFrom, effectiveTo },
});
const removed = (): PricingEvent => ({
  type: 'BasePriceRemoved',
  data: { priceListId: 'PL-1', sku: 'SKU-1', effectiveFrom: JAN, previousUnitPrice: 1299, previousEffectiveTo: NEXT },
});
const customer = (effectiveFrom = JAN, effectiveTo: string | null = null): PricingEvent => ({
  type: 'CustomerPriceSet',
  data: { priceListId: 'PL-1', customerId: 'C-1', sku: 'SKU-1', unitPrice: 999, effectiveFrom, effectiveTo },
});
const tiers = [
  { minQuantity: 1, unitPrice: 1200 },
  { minQuantity: 10, unitPrice: 1100 },
];
const tiered = (customerId: string | null, effectiveFrom = JAN, effectiveTo: string | null = null): PricingEvent => ({
  type: 'QuantityTiersSet',
  data: { priceListId: 'PL-1', sku: 'SKU-1', customerId, tiers, effectiveFrom, effectiveTo },
});

describe('pricing decider', () => {
  describe('CreatePriceList', () => {
    it('creates a list', () => {
      spec
        .given([])
        .when(cmd('CreatePriceList', { name: 'Wholesale', currency: 'EUR' }))
        .then([created]);
    });
    it('rejects a duplicate list (price_list_exists)', () => {
      spec
        .given([created])
        .when(cmd('CreatePriceList', { name: 'Again', currency: 'USD' }))
        .thenRejects('price_list_exists', { priceListId: 'PL-1' });
    });
    it('rejects another list id on this stream', () => {
      spec
        .given([created])
        .when(cmd('CreatePriceList', { priceListId: 'PL-2', name: 'x', currency: 'EUR' }))
        .thenRejects('wrong_stream');
    });
  });

  describe('SetBasePrice', () => {
    it('sets a base price, open-ended when effectiveTo is absent', () => {
      spec
        .given([created])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN }))
        .then([base(JAN, null)]);
    });
    it('rejects an unknown price list', () => {
      spec
        .given([])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN }))
        .thenRejects('unknown_price_list', { priceListId: 'PL-1' });
    });
    it('rejects effectiveTo not after effectiveFrom (invalid_effective_range)', () => {
      spec
        .given([created])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JUL, effectiveTo: JUL }))
        .thenRejects('invalid_effective_range');
      spec
        .given([created])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JUL, effectiveTo: JAN }))
        .thenRejects('invalid_effective_range');
    });
    it('rejects a price that is not a positive integer (invalid_price)', () => {
      spec
        .given([created])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 12.5, effectiveFrom: JAN }))
        .thenRejects('invalid_price');
      spec
        .given([created])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 0, effectiveFrom: JAN }))
        .thenRejects('invalid_price');
    });
    it('rejects an overlapping range, naming the existing one', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JUL }))
        .thenRejects('overlapping_effective_range', {
          rule: 'base',
          sku: 'SKU-1',
          customerId: null,
          existingEffectiveFrom: JAN,
          existingEffectiveTo: NEXT,
        });
    });
    it('an open-ended range overlaps anything after its start', () => {
      spec
        .given([created, base(JAN, null)])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: NEXT }))
        .thenRejects('overlapping_effective_range');
    });
    it('accepts a future-dated price that starts where the current one ends (ranges are half-open)', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: NEXT }))
        .then([
          {
            type: 'BasePriceSet',
            data: { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1399, effectiveFrom: NEXT, effectiveTo: null },
          },
        ]);
    });
    it('other SKUs, customer overrides and tiers are other rules: no overlap with them', () => {
      spec
        .given([created, base(JAN, null), customer(JAN, null), tiered(null)])
        .when(cmd('SetBasePrice', { sku: 'SKU-2', unitPrice: 500, effectiveFrom: JAN }))
        .then([
          {
            type: 'BasePriceSet',
            data: { priceListId: 'PL-1', sku: 'SKU-2', unitPrice: 500, effectiveFrom: JAN, effectiveTo: null },
          },
        ]);
    });
  });

  describe('ReplaceBasePrice', () => {
    const replaced = (
      unitPrice: number,
      effectiveTo: string | null,
      previousEffectiveTo: string | null = NEXT,
    ): PricingEvent => ({
      type: 'BasePriceReplaced',
      data: {
        priceListId: 'PL-1',
        sku: 'SKU-1',
        effectiveFrom: JAN,
        unitPrice,
        effectiveTo,
        previousUnitPrice: 1299,
        previousEffectiveTo,
      },
    });
    it('replaces the price of the line starting at effectiveFrom, keeping its range', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JAN, effectiveTo: NEXT }))
        .then([replaced(1399, NEXT)]);
    });
    it('revises the end of the line: shortened, or open-ended when effectiveTo is absent', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: JUL }))
        .then([replaced(1299, JUL)]);
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN }))
        .then([replaced(1299, null)]);
    });
    it('the same terms again append nothing', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT }))
        .then([]);
    });
    it('a replaced line is what the next replacement starts from', () => {
      spec
        .given([created, base(JAN, NEXT), replaced(1399, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JAN, effectiveTo: NEXT }))
        .then([]);
    });
    it('rejects a line that does not exist, or no longer does (unknown_price_line)', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JUL }))
        .thenRejects('unknown_price_line', { priceListId: 'PL-1', sku: 'SKU-1', effectiveFrom: JUL });
      spec
        .given([created, base(JAN, NEXT), customer(JAN, null)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-2', unitPrice: 1399, effectiveFrom: JAN }))
        .thenRejects('unknown_price_line');
      spec
        .given([created, base(JAN, NEXT), removed()])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JAN }))
        .thenRejects('unknown_price_line');
    });
    it('rejects an unknown price list, a bad price and a bad range', () => {
      spec
        .given([])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JAN }))
        .thenRejects('unknown_price_list');
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 0, effectiveFrom: JAN }))
        .thenRejects('invalid_price');
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JAN, effectiveTo: JAN }))
        .thenRejects('invalid_effective_range');
    });
    it('rejects a new end that reaches into the next line, naming it', () => {
      spec
        .given([created, base(JAN, JUL), base(JUL, null)])
        .when(cmd('ReplaceBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT }))
        .thenRejects('overlapping_effective_range', {
          rule: 'base',
          sku: 'SKU-1',
          customerId: null,
          existingEffectiveFrom: JUL,
          existingEffectiveTo: null,
        });
    });
  });

  describe('PutBasePrice', () => {
    const set = (unitPrice: number, effectiveFrom: string, effectiveTo: string | null): PricingEvent => ({
      type: 'BasePriceSet',
      data: { priceListId: 'PL-1', sku: 'SKU-1', unitPrice, effectiveFrom, effectiveTo },
    });
    it('adds the line when no base line of the SKU starts at effectiveFrom', () => {
      spec
        .given([created])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT }))
        .then([set(1299, JAN, NEXT)]);
      spec
        .given([created, base(JAN, JUL)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JUL }))
        .then([set(1399, JUL, null)]);
    });
    it('replaces the line that starts at effectiveFrom: price and end, with the previous terms', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JAN }))
        .then([
          {
            type: 'BasePriceReplaced',
            data: {
              priceListId: 'PL-1',
              sku: 'SKU-1',
              effectiveFrom: JAN,
              unitPrice: 1399,
              effectiveTo: null,
              previousUnitPrice: 1299,
              previousEffectiveTo: NEXT,
            },
          },
        ]);
    });
    it('the same terms again append nothing: a source re-sending its line changes nothing', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT }))
        .then([]);
    });
    it('a removed line is put anew', () => {
      spec
        .given([created, base(JAN, NEXT), removed()])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT }))
        .then([set(1299, JAN, NEXT)]);
    });
    it('a customer override starting at effectiveFrom is no base line: the base line is added', () => {
      spec
        .given([created, customer(JAN, null)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN }))
        .then([set(1299, JAN, null)]);
    });
    it('rejects a new line inside another one, and a replaced end reaching into the next line', () => {
      spec
        .given([created, base(JAN, null)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1399, effectiveFrom: JUL }))
        .thenRejects('overlapping_effective_range', {
          rule: 'base',
          sku: 'SKU-1',
          customerId: null,
          existingEffectiveFrom: JAN,
          existingEffectiveTo: null,
        });
      spec
        .given([created, base(JAN, JUL), base(JUL, null)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT }))
        .thenRejects('overlapping_effective_range', {
          rule: 'base',
          sku: 'SKU-1',
          customerId: null,
          existingEffectiveFrom: JUL,
          existingEffectiveTo: null,
        });
    });
    it('rejects an unknown list, another list on this stream, a bad price and a bad range', () => {
      spec
        .given([])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN }))
        .thenRejects('unknown_price_list');
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('PutBasePrice', { priceListId: 'PL-2', sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN }))
        .thenRejects('wrong_stream');
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: -5, effectiveFrom: JAN }))
        .thenRejects('invalid_price');
      spec
        .given([created])
        .when(cmd('PutBasePrice', { sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JUL, effectiveTo: JAN }))
        .thenRejects('invalid_effective_range');
    });
  });

  describe('RemoveBasePrice', () => {
    it('removes the line starting at effectiveFrom, recording what it was', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('RemoveBasePrice', { sku: 'SKU-1', effectiveFrom: JAN }))
        .then([removed()]);
    });
    it('frees the range: a new line may take it (the overlap rule still holds for new lines)', () => {
      spec
        .given([created, base(JAN, NEXT), removed()])
        .when(cmd('SetBasePrice', { sku: 'SKU-1', unitPrice: 1499, effectiveFrom: JUL }))
        .then([
          {
            type: 'BasePriceSet',
            data: { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1499, effectiveFrom: JUL, effectiveTo: null },
          },
        ]);
    });
    it('rejects a line that does not exist or was removed already (unknown_price_line), and an unknown list', () => {
      spec
        .given([created, base(JAN, NEXT)])
        .when(cmd('RemoveBasePrice', { sku: 'SKU-1', effectiveFrom: NEXT }))
        .thenRejects('unknown_price_line', { priceListId: 'PL-1', sku: 'SKU-1', effectiveFrom: NEXT });
      spec
        .given([created, base(JAN, NEXT), removed()])
        .when(cmd('RemoveBasePrice', { sku: 'SKU-1', effectiveFrom: JAN }))
        .thenRejects('unknown_price_line');
      spec
        .given([])
        .when(cmd('RemoveBasePrice', { sku: 'SKU-1', effectiveFrom: JAN }))
        .thenRejects('unknown_price_list');
    });
    it('a customer override or tiers starting at the same instant are not base lines: they stay', () => {
      spec
        .given([created, customer(JAN, null), tiered(null)])
        .when(cmd('RemoveBasePrice', { sku: 'SKU-1', effectiveFrom: JAN }))
        .thenRejects('unknown_price_line');
    });
  });

  describe('SetCustomerPrice', () => {
    it('sets a customer override', () => {
      spec
        .given([created, base()])
        .when(cmd('SetCustomerPrice', { customerId: 'C-1', sku: 'SKU-1', unitPrice: 999, effectiveFrom: JAN }))
        .then([customer()]);
    });
    it('rejects an unknown price list', () => {
      spec
        .given([])
        .when(cmd('SetCustomerPrice', { customerId: 'C-1', sku: 'SKU-1', unitPrice: 999, effectiveFrom: JAN }))
        .thenRejects('unknown_price_list');
    });
    it('rejects an invalid range', () => {
      spec
        .given([created])
        .when(
          cmd('SetCustomerPrice', {
            customerId: 'C-1',
            sku: 'SKU-1',
            unitPrice: 999,
            effectiveFrom: NEXT,
            effectiveTo: JAN,
          }),
        )
        .thenRejects('invalid_effective_range');
    });
    it('rejects an overlap for the same customer and SKU, not for another customer', () => {
      spec
        .given([created, customer(JAN, null)])
        .when(
          cmd('SetCustomerPrice', {
            customerId: 'C-1',
            sku: 'SKU-1',
            unitPrice: 899,
            effectiveFrom: JUL,
            effectiveTo: NEXT,
          }),
        )
        .thenRejects('overlapping_effective_range', {
          rule: 'customer',
          sku: 'SKU-1',
          customerId: 'C-1',
          existingEffectiveFrom: JAN,
          existingEffectiveTo: null,
        });
      spec
        .given([created, customer(JAN, null)])
        .when(cmd('SetCustomerPrice', { customerId: 'C-2', sku: 'SKU-1', unitPrice: 899, effectiveFrom: JUL }))
        .then([
          {
            type: 'CustomerPriceSet',
            data: {
              priceListId: 'PL-1',
              customerId: 'C-2',
              sku: 'SKU-1',
              unitPrice: 899,
              effectiveFrom: JUL,
              effectiveTo: null,
            },
          },
        ]);
    });
  });

  describe('SetQuantityTiers', () => {
    it('sets tiers for everyone and for one customer', () => {
      spec
        .given([created])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers, effectiveFrom: JAN }))
        .then([tiered(null)]);
      spec
        .given([created, tiered(null)])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers, effectiveFrom: JAN, customerId: 'C-1' }))
        .then([tiered('C-1')]);
    });
    it('rejects an unknown price list', () => {
      spec
        .given([])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers, effectiveFrom: JAN }))
        .thenRejects('unknown_price_list');
    });
    it.each([
      ['not starting at 1', [{ minQuantity: 2, unitPrice: 100 }]],
      [
        'not strictly increasing',
        [
          { minQuantity: 1, unitPrice: 100 },
          { minQuantity: 10, unitPrice: 90 },
          { minQuantity: 10, unitPrice: 80 },
        ],
      ],
      [
        'decreasing',
        [
          { minQuantity: 1, unitPrice: 100 },
          { minQuantity: 10, unitPrice: 90 },
          { minQuantity: 5, unitPrice: 80 },
        ],
      ],
      ['empty', []],
    ])('rejects tiers %s (invalid_tiers)', (_name, bad) => {
      spec
        .given([created])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers: bad, effectiveFrom: JAN }))
        .thenRejects('invalid_tiers');
    });
    it('rejects a tier price that is not a positive integer', () => {
      spec
        .given([created])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers: [{ minQuantity: 1, unitPrice: -5 }], effectiveFrom: JAN }))
        .thenRejects('invalid_price');
    });
    it('rejects an invalid range', () => {
      spec
        .given([created])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers, effectiveFrom: NEXT, effectiveTo: JAN }))
        .thenRejects('invalid_effective_range');
    });
    it('rejects overlapping tiers of the same audience; general and customer tiers are separate rules', () => {
      spec
        .given([created, tiered(null, JAN, null)])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers, effectiveFrom: JUL }))
        .thenRejects('overlapping_effective_range', {
          rule: 'tiers',
          sku: 'SKU-1',
          customerId: null,
          existingEffectiveFrom: JAN,
          existingEffectiveTo: null,
        });
      spec
        .given([created, tiered('C-1', JAN, NEXT)])
        .when(cmd('SetQuantityTiers', { sku: 'SKU-1', tiers, effectiveFrom: JUL, customerId: 'C-1' }))
        .thenRejects('overlapping_effective_range', {
          rule: 'tiers',
          sku: 'SKU-1',
          customerId: 'C-1',
          existingEffectiveFrom: JAN,
          existingEffectiveTo: NEXT,
        });
    });
  });
});
