import type { DomainEvent } from '@verity/core';

/** Shapes mirror `schemas/pricing/*.avsc` (newest version of each); an absent optional field is null, as Avro decodes it. */
export type PriceListCreated = DomainEvent<'PriceListCreated', { priceListId: string; name: string; currency: string }>;

export type BasePriceSet = DomainEvent<'BasePriceSet', { priceListId: string; sku: string; unitPrice: number; effectiveFrom: string; effectiveTo: string | null }>;

export type CustomerPriceSet = DomainEvent<
  'CustomerPriceSet',
  { priceListId: string; customerId: string; sku: string; unitPrice: number; effectiveFrom: string; effectiveTo: string | null }
>;

export type QuantityTiersSet = DomainEvent<
  'QuantityTiersSet',
  {
    priceListId: string;
    sku: string;
    customerId: string | null;
    tiers: { minQuantity: number; unitPrice: number }[];
    effectiveFrom: string;
    effectiveTo: string | null;
  }
>;

export type PricingEvent = PriceListCreated | BasePriceSet | CustomerPriceSet | QuantityTiersSet;

export const PRICING_EVENTS = ['PriceListCreated', 'BasePriceSet', 'CustomerPriceSet', 'QuantityTiersSet'] as const satisfies readonly PricingEvent['type'][];
