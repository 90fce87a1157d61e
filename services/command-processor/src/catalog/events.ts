import type { DomainEvent } from '@verity/events';

/** Shapes mirror `schemas/catalog/*.avsc` (newest version of each); an absent optional field is null, as Avro decodes it. */
export type ProductRegistered = DomainEvent<
  'ProductRegistered',
  { sku: string; name: string; unit: string; description: string | null; attributes: Record<string, string> }
>;

/** Only the fields that changed are set; the others are null. */
export type ProductUpdated = DomainEvent<
  'ProductUpdated',
  { sku: string; name: string | null; description: string | null; unit: string | null; attributes: Record<string, string> | null }
>;

export type ProductDiscontinued = DomainEvent<'ProductDiscontinued', { sku: string; reason: string | null }>;

export type CatalogEvent = ProductRegistered | ProductUpdated | ProductDiscontinued;

export const CATALOG_EVENTS = ['ProductRegistered', 'ProductUpdated', 'ProductDiscontinued'] as const satisfies readonly CatalogEvent['type'][];
