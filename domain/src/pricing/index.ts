import { defineContext } from '@verity/core';
import {
  createPriceListSchema,
  putBasePriceSchema,
  removeBasePriceSchema,
  replaceBasePriceSchema,
  setBasePriceSchema,
  setCustomerPriceSchema,
  setQuantityTiersSchema,
  type PricingCommand,
} from './commands';
import { pricingDecider, type PriceListState } from './decider';
import { PRICING_EVENTS, type PricingEvent } from './events';

export const pricingContext = defineContext<PriceListState, PricingCommand, PricingEvent>({
  name: 'pricing',
  commands: {
    CreatePriceList: { schema: createPriceListSchema, aggregateId: (payload) => String(payload.priceListId) },
    SetBasePrice: { schema: setBasePriceSchema, aggregateId: (payload) => String(payload.priceListId) },
    ReplaceBasePrice: { schema: replaceBasePriceSchema, aggregateId: (payload) => String(payload.priceListId) },
    PutBasePrice: { schema: putBasePriceSchema, aggregateId: (payload) => String(payload.priceListId) },
    RemoveBasePrice: { schema: removeBasePriceSchema, aggregateId: (payload) => String(payload.priceListId) },
    SetCustomerPrice: { schema: setCustomerPriceSchema, aggregateId: (payload) => String(payload.priceListId) },
    SetQuantityTiers: { schema: setQuantityTiersSchema, aggregateId: (payload) => String(payload.priceListId) },
  },
  decider: pricingDecider,
  events: PRICING_EVENTS,
});

export { pricingDecider, ruleOf, type PriceListState } from './decider';
export {
  quote,
  isEffective,
  rangesOverlap,
  tierPrice,
  QUOTE_PRECEDENCE,
  type PriceRule,
  type PriceRuleKind,
  type Quote,
  type QuoteRequest,
  type QuoteRuleName,
  type Tier,
} from './quote';
export type { PricingCommand } from './commands';
export type { PricingEvent } from './events';
