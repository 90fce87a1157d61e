/**
 * Pricing as a pure function: which rule of a price list applies to a customer, SKU and quantity
 * at an instant. Shared by the decider's tests and the query API, so both read prices the same way.
 * Money is integer minor units (cents); ranges are half-open `[effectiveFrom, effectiveTo)`,
 * `effectiveTo` null meaning open-ended; instants are UTC ISO strings.
 */

export type PriceRuleKind = 'base' | 'customer' | 'tiers';

export interface Tier {
  minQuantity: number;
  unitPrice: number;
}

/** One rule of a price list: a base price, a customer override, or quantity tiers (for everyone, or one customer). */
export interface PriceRule {
  kind: PriceRuleKind;
  sku: string;
  /** Set for `customer`, optional for `tiers`, null for `base`. */
  customerId: string | null;
  /** Set for `base` and `customer`, null for `tiers`. */
  unitPrice: number | null;
  /** Set for `tiers`, null otherwise. */
  tiers: Tier[] | null;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface QuoteRequest {
  /** Absent: only the rules for everyone (tiers, base) can apply. */
  customerId?: string | null;
  sku: string;
  quantity: number;
  /** The instant the price is asked for. */
  at: Date | string;
}

/** Which kind of rule won, in precedence order. */
export type QuoteRuleName = 'customer_override' | 'customer_tier' | 'tier' | 'base';
export const QUOTE_PRECEDENCE: readonly QuoteRuleName[] = ['customer_override', 'customer_tier', 'tier', 'base'];

export interface Quote {
  unitPrice: number;
  /** unitPrice × quantity, in minor units. */
  total: number;
  currency: string;
  rule: QuoteRuleName;
  effectiveFrom: string;
  effectiveTo: string | null;
}

const instantMs = (at: Date | string): number => (typeof at === 'string' ? Date.parse(at) : at.getTime());

/** True when `at` lies in the rule's half-open range. */
export function isEffective(rule: Pick<PriceRule, 'effectiveFrom' | 'effectiveTo'>, at: Date | string): boolean {
  const t = instantMs(at);
  return Date.parse(rule.effectiveFrom) <= t && (rule.effectiveTo === null || t < Date.parse(rule.effectiveTo));
}

/** True when two half-open ranges share an instant. */
export function rangesOverlap(
  a: Pick<PriceRule, 'effectiveFrom' | 'effectiveTo'>,
  b: Pick<PriceRule, 'effectiveFrom' | 'effectiveTo'>,
): boolean {
  const aFrom = Date.parse(a.effectiveFrom);
  const bFrom = Date.parse(b.effectiveFrom);
  const aTo = a.effectiveTo === null ? Infinity : Date.parse(a.effectiveTo);
  const bTo = b.effectiveTo === null ? Infinity : Date.parse(b.effectiveTo);
  return aFrom < bTo && bFrom < aTo;
}

/** The unit price of the highest tier whose minQuantity the quantity reaches (tiers ascend from 1). */
export function tierPrice(tiers: readonly Tier[], quantity: number): number | undefined {
  let price: number | undefined;
  for (const tier of tiers) if (quantity >= tier.minQuantity) price = tier.unitPrice;
  return price;
}

function ruleNameOf(rule: PriceRule): QuoteRuleName {
  if (rule.kind === 'customer') return 'customer_override';
  if (rule.kind === 'tiers') return rule.customerId !== null ? 'customer_tier' : 'tier';
  return 'base';
}

/**
 * The price for `request` under `rules` of a list in `currency`: customer override > customer
 * tier > tier > base, each only when effective at `request.at`. Undefined when no rule applies.
 */
export function quote(rules: readonly PriceRule[], currency: string, request: QuoteRequest): Quote | undefined {
  const customerId = request.customerId ?? null;
  const candidates = rules.filter(
    (rule) =>
      rule.sku === request.sku &&
      isEffective(rule, request.at) &&
      (rule.customerId === null || rule.customerId === customerId),
  );
  for (const name of QUOTE_PRECEDENCE) {
    for (const rule of candidates) {
      if (ruleNameOf(rule) !== name) continue;
      const unitPrice = rule.kind === 'tiers' ? tierPrice(rule.tiers ?? [], request.quantity) : rule.unitPrice;
      if (unitPrice === undefined || unitPrice === null) continue;
      return {
        unitPrice,
        total: unitPrice * request.quantity,
        currency,
        rule: name,
        effectiveFrom: rule.effectiveFrom,
        effectiveTo: rule.effectiveTo,
      };
    }
  }
  return undefined;
}
