import { z } from 'zod';

/** The longest SKU, in characters. */
export const SKU_MAX_LENGTH = 64;
/** A letter or digit first, then letters, digits, dot, dash and underscore: safe in a stream id, a URL path and a cache key. */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** The pattern in words, as answers that refuse a SKU say it. */
export const SKU_CHARACTERS = 'letters, digits, dot, dash and underscore';

const skuRule = [z.minLength(1), z.maxLength(SKU_MAX_LENGTH), z.regex(SKU_PATTERN, SKU_CHARACTERS)] as const;

/** A SKU as a read names it (path or query parameter, GraphQL argument): taken as given, since it is looked up as it is. */
export const skuSchema = z.string().check(...skuRule);

/** A SKU in a command payload: white space around it is dropped first, as for every text field of a command. */
export const commandSkuSchema = z.string().check(z.trim(), ...skuRule);
