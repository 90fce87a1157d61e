import { defineContext } from '@verity/events';
import { receiveStockSchema } from './commands';
import { inventoryDecider, type StockState } from './decider';
import { INVENTORY_EVENTS, type InventoryEvent } from './events';
import type { InventoryCommand } from './commands';

export const inventoryContext = defineContext<StockState, InventoryCommand, InventoryEvent>({
  name: 'inventory',
  commands: {
    ReceiveStock: { schema: receiveStockSchema, aggregateId: (payload) => String(payload.sku) },
  },
  decider: inventoryDecider,
  events: INVENTORY_EVENTS,
});

export { inventoryDecider, type StockState } from './decider';
export type { InventoryCommand } from './commands';
export type { InventoryEvent } from './events';
