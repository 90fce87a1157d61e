import type { DomainEvent } from '@verity/events';

/** Shapes mirror `schemas/inventory/*.avsc` (newest version of each). */
export type StockReceived = DomainEvent<'StockReceived', { sku: string; location: string; quantity: number }>;

export type InventoryEvent = StockReceived;

export const INVENTORY_EVENTS = ['StockReceived'] as const satisfies readonly InventoryEvent['type'][];
