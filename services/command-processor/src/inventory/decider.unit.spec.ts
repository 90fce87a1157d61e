import { deciderSpec } from '@verity/events';
import { inventoryDecider } from './decider';
import type { InventoryCommand } from './commands';

const spec = deciderSpec(inventoryDecider);
const metadata = { tenant: 'acme', now: new Date('2026-11-23T10:00:00Z') };
const receive = (location: string, quantity: number): InventoryCommand => ({
  type: 'ReceiveStock',
  data: { sku: 'SKU-1', location, quantity },
  metadata,
});

describe('inventory decider', () => {
  it('receiving stock into an empty stream emits StockReceived', () => {
    spec.given([]).when(receive('berlin', 5)).then([{ type: 'StockReceived', data: { sku: 'SKU-1', location: 'berlin', quantity: 5 } }]);
  });

  it('receiving again adds to what is on hand', () => {
    const past = [{ type: 'StockReceived' as const, data: { sku: 'SKU-1', location: 'berlin', quantity: 5 } }];
    spec.given(past).when(receive('berlin', 3)).then([{ type: 'StockReceived', data: { sku: 'SKU-1', location: 'berlin', quantity: 3 } }]);
    const state = [...past, ...past].reduce(inventoryDecider.evolve, inventoryDecider.initialState());
    expect(state.locations).toEqual({ berlin: { onHand: 10 } });
  });

  it.each([0, -4, 2.5])('rejects quantity %p', (quantity) => {
    spec.given([]).when(receive('berlin', quantity)).thenRejects('invalid_quantity', { quantity });
  });

  it('rejects a command for another SKU on this stream', () => {
    const past = [{ type: 'StockReceived' as const, data: { sku: 'SKU-2', location: 'berlin', quantity: 1 } }];
    spec.given(past).when(receive('berlin', 1)).thenRejects('wrong_stream');
  });
});
