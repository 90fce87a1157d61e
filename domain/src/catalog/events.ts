import type {
  CatalogConflictDetected,
  CatalogConflictResolved,
  DomainEvent,
  ProductDiscontinued as ProductDiscontinuedPayload,
  ProductRegistered as ProductRegisteredPayload,
  ProductUpdated as ProductUpdatedPayload,
} from '@verity/core';

/**
 * Payloads are the generated types of `schemas/catalog/*.avsc` (newest version of each); an
 * absent optional field is null, as Avro decodes it. sourceSystem and sourceTimestamp are null
 * in events written before v2.
 */
export type ProductRegistered = DomainEvent<'ProductRegistered', ProductRegisteredPayload>;
/** Only the fields that changed are set; the others are null. */
export type ProductUpdated = DomainEvent<'ProductUpdated', ProductUpdatedPayload>;
export type ProductDiscontinued = DomainEvent<'ProductDiscontinued', ProductDiscontinuedPayload>;

export type ConflictDetected = DomainEvent<'ConflictDetected', CatalogConflictDetected>;
export type ConflictResolved = DomainEvent<'ConflictResolved', CatalogConflictResolved>;

export type CatalogEvent =
  ProductRegistered | ProductUpdated | ProductDiscontinued | ConflictDetected | ConflictResolved;

export const CATALOG_EVENTS = [
  'ProductRegistered',
  'ProductUpdated',
  'ProductDiscontinued',
  'ConflictDetected',
  'ConflictResolved',
] as const satisfies readonly CatalogEvent['type'][];
