import type {
  DomainEvent,
  InventoryConflictDetected,
  InventoryConflictResolved,
  ReservationCommitted as ReservationCommittedPayload,
  ReservationExpired as ReservationExpiredPayload,
  ReservationReleased as ReservationReleasedPayload,
  SafetyBufferSet as SafetyBufferSetPayload,
  StockAdjusted as StockAdjustedPayload,
  StockReceived as StockReceivedPayload,
  StockReserved as StockReservedPayload,
  StockTransferred as StockTransferredPayload,
} from '@verity/core';

/** Payloads are the generated types of `schemas/inventory/*.avsc` (newest version of each). */
export type StockReceived = DomainEvent<'StockReceived', StockReceivedPayload>;
export type StockReserved = DomainEvent<'StockReserved', StockReservedPayload>;
export type ReservationReleased = DomainEvent<'ReservationReleased', ReservationReleasedPayload>;
export type ReservationCommitted = DomainEvent<'ReservationCommitted', ReservationCommittedPayload>;
export type ReservationExpired = DomainEvent<'ReservationExpired', ReservationExpiredPayload>;
/** sourceSystem and sourceTimestamp are null in events written before v2. */
export type StockAdjusted = DomainEvent<'StockAdjusted', StockAdjustedPayload>;
export type StockTransferred = DomainEvent<'StockTransferred', StockTransferredPayload>;
export type SafetyBufferSet = DomainEvent<'SafetyBufferSet', SafetyBufferSetPayload>;

export type ConflictDetected = DomainEvent<'ConflictDetected', InventoryConflictDetected>;
export type ConflictResolved = DomainEvent<'ConflictResolved', InventoryConflictResolved>;

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
