import type { DomainEvent } from '@verity/core';
import type { SourceConflict, SourceConflictResolution } from '../sources/governance';

/** Shapes mirror `schemas/inventory/*.avsc` (newest version of each). */
export type StockReceived = DomainEvent<'StockReceived', { sku: string; location: string; quantity: number }>;
export type StockReserved = DomainEvent<'StockReserved', { sku: string; location: string; reservationId: string; quantity: number; expiresAt: string }>;
export type ReservationReleased = DomainEvent<'ReservationReleased', { sku: string; reservationId: string; location: string; quantity: number }>;
export type ReservationCommitted = DomainEvent<'ReservationCommitted', { sku: string; reservationId: string; location: string; quantity: number }>;
export type ReservationExpired = DomainEvent<'ReservationExpired', { sku: string; reservationId: string; location: string; quantity: number; expiresAt: string }>;
/** sourceSystem and sourceTimestamp are null in events written before v2. */
export type StockAdjusted = DomainEvent<
  'StockAdjusted',
  { sku: string; location: string; previousOnHand: number; onHand: number; sourceSystem: string | null; sourceTimestamp: string | null }
>;
export type StockTransferred = DomainEvent<'StockTransferred', { sku: string; from: string; to: string; quantity: number }>;
export type SafetyBufferSet = DomainEvent<'SafetyBufferSet', { sku: string; location: string; previousBuffer: number; buffer: number }>;

export type ConflictDetected = DomainEvent<'ConflictDetected', SourceConflict>;
export type ConflictResolved = DomainEvent<'ConflictResolved', SourceConflictResolution>;

export type InventoryEvent =
  | ConflictDetected
  | ConflictResolved
  | StockReceived
  | StockReserved
  | ReservationReleased
  | ReservationCommitted
  | ReservationExpired
  | StockAdjusted
  | StockTransferred
  | SafetyBufferSet;

export const INVENTORY_EVENTS = [
  'ConflictDetected',
  'ConflictResolved',
  'StockReceived',
  'StockReserved',
  'ReservationReleased',
  'ReservationCommitted',
  'ReservationExpired',
  'StockAdjusted',
  'StockTransferred',
  'SafetyBufferSet',
] as const satisfies readonly InventoryEvent['type'][];
