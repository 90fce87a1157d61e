import { z } from 'zod';
import type { DomainCommand } from '@verity/core';
import { commandSkuSchema as sku } from '../sku';
import { conflictIdSchema, conflictResolutionSchema } from '../sources/governance';

const name = z.string().trim().min(1).max(200);
const description = z.string().trim().max(2000);
/** Unit of measure: a short upper-case code such as EA, KG, M, L or BOX (lower case is accepted and upper-cased). */
const unit = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9]{0,7}$/, 'a short unit code of 1 to 8 letters or digits, e.g. EA, KG, M, L, BOX');
/** Flat string → string map; at most 100 entries. */
const attributes = z
  .record(z.string().trim().min(1).max(64), z.string().max(1000))
  .refine((value) => Object.keys(value).length <= 100, 'at most 100 attributes');

export const registerProductSchema = z.strictObject({
  sku,
  name,
  unit,
  description: description.optional(),
  attributes: attributes.optional(),
});
export type RegisterProductData = z.infer<typeof registerProductSchema>;

const UPDATABLE = ['name', 'description', 'unit', 'attributes'] as const;

export const updateProductSchema = z
  .strictObject({
    sku,
    name: name.optional(),
    description: description.optional(),
    unit: unit.optional(),
    attributes: attributes.optional(),
  })
  .refine((value) => UPDATABLE.some((field) => value[field] !== undefined), {
    message: `at least one of ${UPDATABLE.join(', ')} is required`,
    path: ['name'],
  });
export type UpdateProductData = z.infer<typeof updateProductSchema>;

export const discontinueProductSchema = z.strictObject({ sku, reason: z.string().trim().min(1).max(500).optional() });
export type DiscontinueProductData = z.infer<typeof discontinueProductSchema>;

export const resolveConflictSchema = z.strictObject({
  sku,
  conflictId: conflictIdSchema,
  accept: conflictResolutionSchema,
});
export type ResolveConflictData = z.infer<typeof resolveConflictSchema>;

export type CatalogCommand =
  | DomainCommand<'RegisterProduct', RegisterProductData>
  | DomainCommand<'UpdateProduct', UpdateProductData>
  | DomainCommand<'DiscontinueProduct', DiscontinueProductData>
  | DomainCommand<'ResolveConflict', ResolveConflictData>;
