import { z } from 'zod';
import type { DomainCommand } from '@verity/core';
import { commandSkuSchema as sku } from '../sku';

/** A price list id follows the SKU's rule. */
const priceListId = sku;
const customerId = z.string().trim().min(1).max(128);
const name = z.string().trim().min(1).max(200);
/** ISO 4217 alphabetic code, three letters (lower case is accepted and upper-cased). */
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code of three letters, e.g. EUR, USD');
/** Money in integer minor units of the list's currency (cents: 1299 = 12.99), never a float. */
const unitPrice = z.number().int('an integer amount in minor units (cents)').positive().max(1_000_000_000_000);
/** ISO 8601 with an offset, normalised to UTC `…Z` so comparisons are plain string comparisons. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());
const quantity = z.number().int().positive().max(1_000_000_000);

const effective = { effectiveFrom: instant, effectiveTo: instant.optional() };

export const createPriceListSchema = z.strictObject({ priceListId, name, currency });
export type CreatePriceListData = z.infer<typeof createPriceListSchema>;

export const setBasePriceSchema = z.strictObject({ priceListId, sku, unitPrice, ...effective });
export type SetBasePriceData = z.infer<typeof setBasePriceSchema>;

/**
 * A base price line is named by its SKU and the instant it starts from (`effectiveFrom`); a source
 * system changes its price or its end, never its start (a new start is a new line).
 */
export const replaceBasePriceSchema = z.strictObject({ priceListId, sku, unitPrice, ...effective });
export type ReplaceBasePriceData = z.infer<typeof replaceBasePriceSchema>;

/**
 * For a source that only knows "this line now has this price" (a webhook, a poller): the line of
 * the SKU that starts at `effectiveFrom` is added when there is none, else replaced.
 */
export const putBasePriceSchema = z.strictObject({ priceListId, sku, unitPrice, ...effective });
export type PutBasePriceData = z.infer<typeof putBasePriceSchema>;

export const removeBasePriceSchema = z.strictObject({ priceListId, sku, effectiveFrom: instant });
export type RemoveBasePriceData = z.infer<typeof removeBasePriceSchema>;

export const setCustomerPriceSchema = z.strictObject({ priceListId, customerId, sku, unitPrice, ...effective });
export type SetCustomerPriceData = z.infer<typeof setCustomerPriceSchema>;

/** Tier order is checked by the decider (`invalid_tiers`), so the caller learns the rule by its code. */
export const setQuantityTiersSchema = z.strictObject({
  priceListId,
  sku,
  tiers: z
    .array(z.strictObject({ minQuantity: quantity, unitPrice }))
    .min(1)
    .max(50),
  ...effective,
  customerId: customerId.optional(),
});
export type SetQuantityTiersData = z.infer<typeof setQuantityTiersSchema>;

export type PricingCommand =
  | DomainCommand<'CreatePriceList', CreatePriceListData>
  | DomainCommand<'SetBasePrice', SetBasePriceData>
  | DomainCommand<'ReplaceBasePrice', ReplaceBasePriceData>
  | DomainCommand<'PutBasePrice', PutBasePriceData>
  | DomainCommand<'RemoveBasePrice', RemoveBasePriceData>
  | DomainCommand<'SetCustomerPrice', SetCustomerPriceData>
  | DomainCommand<'SetQuantityTiers', SetQuantityTiersData>;
