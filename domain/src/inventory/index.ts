import { defineContext } from '@verity/core';
import { productReference } from '../catalog';
import { authorityReference } from '../sources';
import {
  adjustStockSchema,
  commitReservationSchema,
  expireReservationsSchema,
  receiveStockSchema,
  releaseReservationSchema,
  reserveStockSchema,
  resolveConflictSchema,
  setSafetyBufferSchema,
  transferStockSchema,
} from './commands';
import { inventoryDecider, type StockState } from './decider';
import { INVENTORY_EVENTS, type InventoryEvent } from './events';
import { expiryTimer } from './expiry-timer';
import type { InventoryCommand } from './commands';

/** Every inventory command targets the SKU's stream, `<tenant>/<sku>`. */
const bySku = (payload: Record<string, unknown>): string => String(payload.sku);

export const inventoryContext = defineContext<StockState, InventoryCommand, InventoryEvent>({
  name: 'inventory',
  commands: {
    ReceiveStock: { schema: receiveStockSchema, aggregateId: bySku },
    ReserveStock: { schema: reserveStockSchema, aggregateId: bySku },
    ReleaseReservation: { schema: releaseReservationSchema, aggregateId: bySku },
    CommitReservation: { schema: commitReservationSchema, aggregateId: bySku },
    AdjustStock: { schema: adjustStockSchema, aggregateId: bySku },
    TransferStock: { schema: transferStockSchema, aggregateId: bySku },
    SetSafetyBuffer: { schema: setSafetyBufferSchema, aggregateId: bySku },
    ExpireReservations: { schema: expireReservationsSchema, aggregateId: bySku },
    ResolveConflict: { schema: resolveConflictSchema, aggregateId: bySku },
  },
  decider: inventoryDecider,
  events: INVENTORY_EVENTS,
  references: {
    product: productReference(['ReceiveStock', 'ReserveStock']),
    authority: authorityReference(['AdjustStock']),
  },
  timers: [expiryTimer],
});

export { availableToPromise, inventoryDecider, type StockState } from './decider';
export type { InventoryCommand } from './commands';
export type { InventoryEvent } from './events';
