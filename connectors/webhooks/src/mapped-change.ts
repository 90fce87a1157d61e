/** What a delivery means in Verity: a command type, its payload and when the source says it happened. */
export interface MappedChange {
  type: string;
  payload: Record<string, unknown>;
  sourceTimestamp: string;
}

/** Where a source's record has no location, its stock is the tenant's default location's. */
export const DEFAULT_LOCATION = 'main';

/** Where a new product's unit is not given: each. */
export const DEFAULT_UNIT = 'EA';

/**
 * The start of the price line a webhook source means. NetSuite, SAP Business One and Dynamics 365
 * send a list's price of a SKU with no validity dates, and cannot say whether it is new or
 * changed: it is the standing price, one line per list and SKU from this fixed instant, so a later
 * price replaces that line (`pricing.PutBasePrice`) instead of overlapping it. The delivery's
 * `timestamp` stays the change's source time.
 */
export const STANDING_PRICE_FROM = '1970-01-01T00:00:00.000Z';

/** Turns a topic's body into changes; throws `UnmappableChangeError` naming the field. Pure. */
export type TopicMapping = (body: unknown) => MappedChange[];

/** The payload without the fields the source left out: commands are strict objects. */
export function defined(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
}
