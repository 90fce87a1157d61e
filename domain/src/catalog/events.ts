import type { DomainEvent } from '@verity/core';
import type { SourceConflict, SourceConflictResolution } from '../sources/governance';

/** Shapes mirror `schemas/catalog/*.avsc` (newest version of each); an absent optional field is null, as Avro decodes it. */
/** Where a change came from; null in events written before v2. */
type Sourced = {
  sourceSystem: string | null;
  sourceTimestamp: string | null;
};

export type ProductRegistered = DomainEvent<
  'ProductRegistered',
  { sku: string; name: string; unit: string; description: string | null; attributes: Record<string, string> } & Sourced
>;

/** Only the fields that changed are set; the others are null. */
export type ProductUpdated = DomainEvent<
  'ProductUpdated',
  { sku: string; name: string | null; description: string | null; unit: string | null; attributes: Record<string, string> | null } & Sourced
>;

export type ProductDiscontinued = DomainEvent<'ProductDiscontinued', { sku: string; reason: string | null }>;

export type ConflictDetected = DomainEvent<'ConflictDetected', SourceConflict>;
export type ConflictResolved = DomainEvent<'ConflictResolved', SourceConflictResolution>;

export type CatalogEvent = ProductRegistered | ProductUpdated | ProductDiscontinued | ConflictDetected | ConflictResolved;

export const CATALOG_EVENTS = [
  'ProductRegistered',
  'ProductUpdated',
  'ProductDiscontinued',
  'ConflictDetected',
  'ConflictResolved',
] as const satisfies readonly CatalogEvent['type'][];
