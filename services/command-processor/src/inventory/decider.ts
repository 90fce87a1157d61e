import { DomainRejection, type Decider } from '@verity/events';
import type { InventoryCommand, ReceiveStockData } from './commands';
import type { InventoryEvent, StockReceived } from './events';

/** Stock of one SKU across its locations: the aggregate behind stream `<tenant>/<sku>`. */
export interface StockState {
  sku: string | null;
  locations: Record<string, { onHand: number }>;
}

const initialState = (): StockState => ({ sku: null, locations: {} });

function receiveStock(data: ReceiveStockData, state: StockState): StockReceived[] {
  if (!Number.isInteger(data.quantity) || data.quantity <= 0) {
    throw new DomainRejection('invalid_quantity', `quantity must be a positive integer, got ${data.quantity}`, { quantity: data.quantity });
  }
  if (state.sku !== null && state.sku !== data.sku) {
    throw new DomainRejection('wrong_stream', `stream holds SKU ${state.sku}, not ${data.sku}`);
  }
  return [{ type: 'StockReceived', data: { sku: data.sku, location: data.location, quantity: data.quantity } }];
}

function decide(command: InventoryCommand, state: StockState): InventoryEvent[] {
  switch (command.type) {
    case 'ReceiveStock':
      return receiveStock(command.data, state);
    default: {
      const unknownCommand: never = command.type;
      throw new DomainRejection('unknown_command_type', `unknown inventory command ${String(unknownCommand)}`);
    }
  }
}

function evolve(state: StockState, event: InventoryEvent): StockState {
  switch (event.type) {
    case 'StockReceived': {
      const { sku, location, quantity } = event.data;
      const onHand = (state.locations[location]?.onHand ?? 0) + quantity;
      return { sku, locations: { ...state.locations, [location]: { onHand } } };
    }
    default: {
      const unknownEvent: never = event.type;
      throw new Error(`unknown inventory event ${String(unknownEvent)}`);
    }
  }
}

export const inventoryDecider: Decider<StockState, InventoryCommand, InventoryEvent> = { decide, evolve, initialState };
