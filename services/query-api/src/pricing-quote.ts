import { z } from 'zod';
import { quote, skuSchema, type Quote } from '@verity/domain';
import type { SkuRules } from '@verity/projection-pricing';

/** What a quote is asked for, REST or GraphQL, once its parameters are valid. */
export interface QuoteQuery {
  priceListId: string;
  sku: string;
  customerId?: string;
  quantity: number;
  /** ISO instant; now when the request names none. */
  at: string;
}

/** A quote as both APIs answer it: the question, then the price. */
export type QuoteAnswer = {
  priceListId: string;
  customerId: string | null;
  sku: string;
  quantity: number;
  at: string;
} & Quote;

/** The parameters' rules, shared by `GET /v1/pricing/quote` and the GraphQL pricing fields; a price list id follows the SKU's rule, as in the pricing commands. */
export const priceListIdSchema = skuSchema;
export const customerIdSchema = z.string().min(1).max(128);
export const quantitySchema = z
  .number()
  .int('a whole number')
  .min(1, 'at least 1')
  .max(1_000_000_000, 'at most 1000000000');

/** The quote for `q` from the SKU's rules of the list; undefined when no rule applies. */
export function quoteAnswer(entry: SkuRules, q: QuoteQuery): QuoteAnswer | undefined {
  const result = quote(entry.rules, entry.currency, {
    customerId: q.customerId ?? null,
    sku: q.sku,
    quantity: q.quantity,
    at: q.at,
  });
  return (
    result && {
      priceListId: q.priceListId,
      customerId: q.customerId ?? null,
      sku: q.sku,
      quantity: q.quantity,
      at: q.at,
      ...result,
    }
  );
}
