import { DomainRejection, type Decider } from '@verity/core';
import type {
  CreatePriceListData,
  PricingCommand,
  PutBasePriceData,
  RemoveBasePriceData,
  ReplaceBasePriceData,
  SetBasePriceData,
  SetCustomerPriceData,
  SetQuantityTiersData,
} from './commands';
import type {
  BasePriceRemoved,
  BasePriceReplaced,
  BasePriceSet,
  CustomerPriceSet,
  PriceListCreated,
  PricingEvent,
  QuantityTiersSet,
} from './events';
import { rangesOverlap, type PriceRule, type Tier } from './quote';

/** One price list of a tenant: the aggregate behind stream `<tenant>/<priceListId>`. */
export interface PriceListState {
  /** null until the list is created. */
  priceListId: string | null;
  name: string;
  currency: string;
  /** Every rule set so far and not removed, in order; ranges of the same rule never overlap. */
  rules: PriceRule[];
}

const initialState = (): PriceListState => ({ priceListId: null, name: '', currency: '', rules: [] });

function checkStream(state: PriceListState, priceListId: string): void {
  if (state.priceListId !== null && state.priceListId !== priceListId) {
    throw new DomainRejection('wrong_stream', `stream holds price list ${state.priceListId}, not ${priceListId}`);
  }
}

function requireList(state: PriceListState, priceListId: string): void {
  checkStream(state, priceListId);
  if (state.priceListId === null)
    throw new DomainRejection('unknown_price_list', `no price list ${priceListId}`, { priceListId });
}

function checkRange(effectiveFrom: string, effectiveTo: string | undefined): void {
  if (effectiveTo !== undefined && Date.parse(effectiveTo) <= Date.parse(effectiveFrom)) {
    throw new DomainRejection(
      'invalid_effective_range',
      `effectiveTo ${effectiveTo} must be after effectiveFrom ${effectiveFrom}`,
      { effectiveFrom, effectiveTo },
    );
  }
}

function checkPrice(unitPrice: number, field = 'unitPrice'): void {
  if (!Number.isSafeInteger(unitPrice) || unitPrice <= 0) {
    throw new DomainRejection(
      'invalid_price',
      `${field} must be a positive integer amount in minor units, got ${unitPrice}`,
      { field, unitPrice },
    );
  }
}

/** A new rule may not share an instant with an existing one of the same kind, SKU and customer; the existing range is in the details. */
function checkNoOverlap(state: PriceListState, rule: PriceRule): void {
  const clash = state.rules.find(
    (r) => r.kind === rule.kind && r.sku === rule.sku && r.customerId === rule.customerId && rangesOverlap(r, rule),
  );
  if (!clash) return;
  throw new DomainRejection(
    'overlapping_effective_range',
    `a ${rule.kind} rule for ${rule.sku}${rule.customerId ? ` and customer ${rule.customerId}` : ''} is already effective from ${clash.effectiveFrom} to ${clash.effectiveTo ?? 'open end'}`,
    {
      rule: rule.kind,
      sku: rule.sku,
      customerId: rule.customerId,
      existingEffectiveFrom: clash.effectiveFrom,
      existingEffectiveTo: clash.effectiveTo,
    },
  );
}

function checkTiers(tiers: readonly Tier[]): void {
  if (tiers.length === 0) throw new DomainRejection('invalid_tiers', 'at least one tier is required', { tiers });
  if (tiers[0]!.minQuantity !== 1)
    throw new DomainRejection(
      'invalid_tiers',
      `the first tier must start at minQuantity 1, got ${tiers[0]!.minQuantity}`,
      { tiers },
    );
  tiers.forEach((tier, i) => {
    checkPrice(tier.unitPrice, `tiers.${i}.unitPrice`);
    if (i > 0 && tier.minQuantity <= tiers[i - 1]!.minQuantity) {
      throw new DomainRejection(
        'invalid_tiers',
        `minQuantity must strictly increase: tier ${i} has ${tier.minQuantity} after ${tiers[i - 1]!.minQuantity}`,
        { tiers },
      );
    }
  });
}

function createPriceList(data: CreatePriceListData, state: PriceListState): PriceListCreated[] {
  checkStream(state, data.priceListId);
  if (state.priceListId !== null)
    throw new DomainRejection('price_list_exists', `price list ${data.priceListId} already exists`, {
      priceListId: data.priceListId,
    });
  return [
    { type: 'PriceListCreated', data: { priceListId: data.priceListId, name: data.name, currency: data.currency } },
  ];
}

function setBasePrice(data: SetBasePriceData, state: PriceListState): BasePriceSet[] {
  requireList(state, data.priceListId);
  checkRange(data.effectiveFrom, data.effectiveTo);
  checkPrice(data.unitPrice);
  const event: BasePriceSet['data'] = {
    priceListId: data.priceListId,
    sku: data.sku,
    unitPrice: data.unitPrice,
    effectiveFrom: data.effectiveFrom,
    effectiveTo: data.effectiveTo ?? null,
  };
  checkNoOverlap(state, ruleOf({ type: 'BasePriceSet', data: event }));
  return [{ type: 'BasePriceSet', data: event }];
}

/** A base price line is named by its SKU and start: two base lines of a SKU never start at the same instant. */
const isBaseLine = (rule: PriceRule, sku: string, effectiveFrom: string): boolean =>
  rule.kind === 'base' && rule.sku === sku && rule.effectiveFrom === effectiveFrom;

/** The base price line a replacement or removal names, with its price (a base rule always has one). */
function baseLineOf(state: PriceListState, data: RemoveBasePriceData): PriceRule & { unitPrice: number } {
  const line = state.rules.find((r) => isBaseLine(r, data.sku, data.effectiveFrom));
  if (line === undefined || line.unitPrice === null)
    throw new DomainRejection(
      'unknown_price_line',
      `price list ${data.priceListId} has no base price for ${data.sku} starting at ${data.effectiveFrom}`,
      { priceListId: data.priceListId, sku: data.sku, effectiveFrom: data.effectiveFrom },
    );
  return { ...line, unitPrice: line.unitPrice };
}

/** Same terms again (a source that re-sends an unchanged line) is no change: nothing is appended. */
function replaceBasePrice(data: ReplaceBasePriceData, state: PriceListState): BasePriceReplaced[] {
  requireList(state, data.priceListId);
  checkRange(data.effectiveFrom, data.effectiveTo);
  checkPrice(data.unitPrice);
  const line = baseLineOf(state, data);
  const effectiveTo = data.effectiveTo ?? null;
  if (line.unitPrice === data.unitPrice && line.effectiveTo === effectiveTo) return [];
  // The line's new range is checked against the other lines only, never against its old self.
  const others = state.rules.filter((r) => !isBaseLine(r, data.sku, data.effectiveFrom));
  checkNoOverlap({ ...state, rules: others }, { ...line, unitPrice: data.unitPrice, effectiveTo });
  return [
    {
      type: 'BasePriceReplaced',
      data: {
        priceListId: data.priceListId,
        sku: data.sku,
        effectiveFrom: data.effectiveFrom,
        unitPrice: data.unitPrice,
        effectiveTo,
        previousUnitPrice: line.unitPrice,
        previousEffectiveTo: line.effectiveTo,
      },
    },
  ];
}

/**
 * A source that cannot tell a new line from a changed one: no base line of the SKU starts at
 * `effectiveFrom` → a new line (the overlap rule holds); one does → its replacement (same terms
 * append nothing). The events are the ones SetBasePrice and ReplaceBasePrice append.
 */
function putBasePrice(data: PutBasePriceData, state: PriceListState): (BasePriceSet | BasePriceReplaced)[] {
  return state.rules.some((r) => isBaseLine(r, data.sku, data.effectiveFrom))
    ? replaceBasePrice(data, state)
    : setBasePrice(data, state);
}

function removeBasePrice(data: RemoveBasePriceData, state: PriceListState): BasePriceRemoved[] {
  requireList(state, data.priceListId);
  const line = baseLineOf(state, data);
  return [
    {
      type: 'BasePriceRemoved',
      data: {
        priceListId: data.priceListId,
        sku: data.sku,
        effectiveFrom: data.effectiveFrom,
        previousUnitPrice: line.unitPrice,
        previousEffectiveTo: line.effectiveTo,
      },
    },
  ];
}

function setCustomerPrice(data: SetCustomerPriceData, state: PriceListState): CustomerPriceSet[] {
  requireList(state, data.priceListId);
  checkRange(data.effectiveFrom, data.effectiveTo);
  checkPrice(data.unitPrice);
  const event: CustomerPriceSet['data'] = {
    priceListId: data.priceListId,
    customerId: data.customerId,
    sku: data.sku,
    unitPrice: data.unitPrice,
    effectiveFrom: data.effectiveFrom,
    effectiveTo: data.effectiveTo ?? null,
  };
  checkNoOverlap(state, ruleOf({ type: 'CustomerPriceSet', data: event }));
  return [{ type: 'CustomerPriceSet', data: event }];
}

function setQuantityTiers(data: SetQuantityTiersData, state: PriceListState): QuantityTiersSet[] {
  requireList(state, data.priceListId);
  checkRange(data.effectiveFrom, data.effectiveTo);
  checkTiers(data.tiers);
  const event: QuantityTiersSet['data'] = {
    priceListId: data.priceListId,
    sku: data.sku,
    customerId: data.customerId ?? null,
    tiers: data.tiers.map(({ minQuantity, unitPrice }) => ({ minQuantity, unitPrice })),
    effectiveFrom: data.effectiveFrom,
    effectiveTo: data.effectiveTo ?? null,
  };
  checkNoOverlap(state, ruleOf({ type: 'QuantityTiersSet', data: event }));
  return [{ type: 'QuantityTiersSet', data: event }];
}

/** The rule a price event sets, as `quote` reads it. */
export function ruleOf(event: BasePriceSet | CustomerPriceSet | QuantityTiersSet): PriceRule {
  const { sku, effectiveFrom, effectiveTo } = event.data;
  switch (event.type) {
    case 'BasePriceSet':
      return {
        kind: 'base',
        sku,
        customerId: null,
        unitPrice: event.data.unitPrice,
        tiers: null,
        effectiveFrom,
        effectiveTo: effectiveTo ?? null,
      };
    case 'CustomerPriceSet':
      return {
        kind: 'customer',
        sku,
        customerId: event.data.customerId,
        unitPrice: event.data.unitPrice,
        tiers: null,
        effectiveFrom,
        effectiveTo: effectiveTo ?? null,
      };
    case 'QuantityTiersSet':
      return {
        kind: 'tiers',
        sku,
        customerId: event.data.customerId ?? null,
        unitPrice: null,
        tiers: event.data.tiers.map((t) => ({ ...t })),
        effectiveFrom,
        effectiveTo: effectiveTo ?? null,
      };
  }
}

function decide(command: PricingCommand, state: PriceListState): PricingEvent[] {
  switch (command.type) {
    case 'CreatePriceList':
      return createPriceList(command.data, state);
    case 'SetBasePrice':
      return setBasePrice(command.data, state);
    case 'ReplaceBasePrice':
      return replaceBasePrice(command.data, state);
    case 'PutBasePrice':
      return putBasePrice(command.data, state);
    case 'RemoveBasePrice':
      return removeBasePrice(command.data, state);
    case 'SetCustomerPrice':
      return setCustomerPrice(command.data, state);
    case 'SetQuantityTiers':
      return setQuantityTiers(command.data, state);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown pricing command ${String((unknownCommand as PricingCommand).type)}`,
      );
    }
  }
}

function evolve(state: PriceListState, event: PricingEvent): PriceListState {
  switch (event.type) {
    case 'PriceListCreated':
      return { ...state, priceListId: event.data.priceListId, name: event.data.name, currency: event.data.currency };
    case 'BasePriceSet':
    case 'CustomerPriceSet':
    case 'QuantityTiersSet':
      return { ...state, rules: [...state.rules, ruleOf(event)] };
    case 'BasePriceReplaced': {
      const { sku, effectiveFrom, unitPrice, effectiveTo } = event.data;
      return {
        ...state,
        rules: state.rules.map((r) =>
          isBaseLine(r, sku, effectiveFrom) ? { ...r, unitPrice, effectiveTo: effectiveTo ?? null } : r,
        ),
      };
    }
    case 'BasePriceRemoved': {
      const { sku, effectiveFrom } = event.data;
      return { ...state, rules: state.rules.filter((r) => !isBaseLine(r, sku, effectiveFrom)) };
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown pricing event ${String((unknownEvent as PricingEvent).type)}`);
    }
  }
}

export const pricingDecider: Decider<PriceListState, PricingCommand, PricingEvent> = { decide, evolve, initialState };
