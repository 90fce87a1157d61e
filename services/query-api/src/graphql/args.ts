import { GraphQLError } from 'graphql';
import type { z } from 'zod';
import { SKU_CHARACTERS, SKU_MAX_LENGTH, skuSchema } from '@verity/domain';
import { customerIdSchema, priceListIdSchema, quantitySchema, type QuoteQuery } from '../pricing-quote';
import { instantParam } from '../request';

/** A bad argument: `BAD_USER_INPUT` naming it, the message starting with its name. */
export function badInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** Something the arguments name does not exist (a GraphQL answer has no 404). */
export function notFound(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, { extensions: { code: 'NOT_FOUND', argument } });
}

/** The argument parsed by `schema`, or a bad-input error naming it with the first issue. */
export function arg<T>(schema: z.ZodType<T>, value: unknown, argument: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badInput(argument, parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

/** An optional argument parsed by `schema`; undefined when it is absent or null. */
export function optionalArg<T>(schema: z.ZodType<T>, value: unknown, argument: string): T | undefined {
  return value === undefined || value === null ? undefined : arg(schema, value, argument);
}

/** A SKU argument; whatever is wrong with it, the answer gives the whole rule. */
export function sku(value: string, argument = 'sku'): string {
  if (!skuSchema.safeParse(value).success)
    throw badInput(argument, `${SKU_CHARACTERS}, 1 to ${SKU_MAX_LENGTH} characters`);
  return value;
}

export function intIn(value: number, argument: string, min: number, max: number): number {
  if (value < min || value > max) throw badInput(argument, `must be between ${min} and ${max}`);
  return value;
}

export function aliasArg(value: string): string {
  if (value.length < 1 || value.length > 128) throw badInput('alias', '1 to 128 characters');
  return value;
}

/** The GraphQL pricing arguments; `customer` is the REST `customerId`. */
export interface QuoteArgs {
  priceListId: string;
  customer: string;
  sku: string;
  quantity: number;
  at?: string | null;
}

/** Validates quote arguments by the rules of `GET /v1/pricing/quote`; `now` is the default `at`. */
export function quoteArgs(args: QuoteArgs, now: Date): QuoteQuery {
  const priceListId = arg(priceListIdSchema, args.priceListId, 'priceListId');
  const customerId = arg(customerIdSchema, args.customer, 'customer');
  const wanted = sku(args.sku);
  const quantity = arg(quantitySchema, args.quantity, 'quantity');
  const at = optionalArg(instantParam, args.at, 'at') ?? now.toISOString();
  return { priceListId, customerId, sku: wanted, quantity, at };
}
