import { z } from 'zod';
import type { DomainCommand } from '@verity/core';
import { commandSkuSchema as sku } from '../sku';
import { conflictIdSchema, conflictResolutionSchema } from '../sources/governance';

const location = z.string().trim().min(1).max(64);
const quantity = z.number().int().positive().max(1_000_000_000);
/** A count that may be zero: an absolute on-hand count, a safety buffer. */
const count = z.number().int().nonnegative().max(1_000_000_000);
const reservationId = z.string().trim().min(1).max(128);
/** ISO 8601 with an offset (`Z` or `+02:00`), normalised to UTC `…Z` so every replay compares the same string. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

export const receiveStockSchema = z.strictObject({ sku, location, quantity });
export type ReceiveStockData = z.infer<typeof receiveStockSchema>;

export const reserveStockSchema = z.strictObject({ sku, location, quantity, reservationId, expiresAt: instant });
export type ReserveStockData = z.infer<typeof reserveStockSchema>;

export const releaseReservationSchema = z.strictObject({ sku, reservationId });
export type ReleaseReservationData = z.infer<typeof releaseReservationSchema>;

export const commitReservationSchema = z.strictObject({ sku, reservationId });
export type CommitReservationData = z.infer<typeof commitReservationSchema>;

export const adjustStockSchema = z.strictObject({ sku, location, onHand: count });
export type AdjustStockData = z.infer<typeof adjustStockSchema>;

export const resolveConflictSchema = z.strictObject({
  sku,
  conflictId: conflictIdSchema,
  accept: conflictResolutionSchema,
});
export type ResolveConflictData = z.infer<typeof resolveConflictSchema>;

export const transferStockSchema = z.strictObject({ sku, from: location, to: location, quantity });
export type TransferStockData = z.infer<typeof transferStockSchema>;

export const setSafetyBufferSchema = z.strictObject({ sku, location, buffer: count });
export type SetSafetyBufferData = z.infer<typeof setSafetyBufferSchema>;

export const expireReservationsSchema = z.strictObject({ sku });
export type ExpireReservationsData = z.infer<typeof expireReservationsSchema>;

export type InventoryCommand =
  | DomainCommand<'ReceiveStock', ReceiveStockData>
  | DomainCommand<'ReserveStock', ReserveStockData>
  | DomainCommand<'ReleaseReservation', ReleaseReservationData>
  | DomainCommand<'CommitReservation', CommitReservationData>
  | DomainCommand<'AdjustStock', AdjustStockData>
  | DomainCommand<'TransferStock', TransferStockData>
  | DomainCommand<'SetSafetyBuffer', SetSafetyBufferData>
  | DomainCommand<'ExpireReservations', ExpireReservationsData>
  | DomainCommand<'ResolveConflict', ResolveConflictData>;
