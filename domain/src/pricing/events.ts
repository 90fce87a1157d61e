import type {
  BasePriceRemoved as BasePriceRemovedPayload,
  BasePriceReplaced as BasePriceReplacedPayload,
  BasePriceSet as BasePriceSetPayload,
  CustomerPriceSet as CustomerPriceSetPayload,
  DomainEvent,
  PriceListCreated as PriceListCreatedPayload,
  QuantityTiersSet as QuantityTiersSetPayload,
} from '@verity/core';

/** Payloads are the generated types of `schemas/pricing/*.avsc` (newest version of each); an absent optional field is null, as Avro decodes it. */
export type PriceListCreated = DomainEvent<'PriceListCreated', PriceListCreatedPayload>;
export type BasePriceSet = DomainEvent<'BasePriceSet', BasePriceSetPayload>;
export type BasePriceReplaced = DomainEvent<'BasePriceReplaced', BasePriceReplacedPayload>;
export type BasePriceRemoved = DomainEvent<'BasePriceRemoved', BasePriceRemovedPayload>;
export type CustomerPriceSet = DomainEvent<'CustomerPriceSet', CustomerPriceSetPayload>;
export type QuantityTiersSet = DomainEvent<'QuantityTiersSet', QuantityTiersSetPayload>;

export type PricingEvent =
  PriceListCreated | BasePriceSet | BasePriceReplaced | BasePriceRemoved | CustomerPriceSet | QuantityTiersSet;

export const PRICING_EVENTS = [
  'PriceListCreated',
  'BasePriceSet',
  'BasePriceReplaced',
  'BasePriceRemoved',
  'CustomerPriceSet',
  'QuantityTiersSet',
] as const satisfies readonly PricingEvent['type'][];
