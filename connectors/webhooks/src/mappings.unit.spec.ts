import { commandOfChange, UnmappableChangeError } from '@verity/connector-intake';
import { contexts } from '@verity/domain';
import { changesOfDelivery } from './delivery';
import { topicOf } from './sources';

const AT = '2025-07-15T10:30:00Z';
const STANDING = '1970-01-01T00:00:00.000Z';

/** The commands a delivery becomes, validated by the commands' own schemas as the intake does. */
function commandsOf(source: string, topic: string, body: unknown, deliveryId = 'msg_1') {
  const found = topicOf(source, topic);
  if (!found) throw new Error(`no topic ${source}/${topic}`);
  return changesOfDelivery(
    { source: found.source, tenant: 'acme', deliveryId, body, secretId: 'whk_x' },
    found.map,
  ).map((change) => commandOfChange(contexts, change, new Date('2026-01-01T00:00:00Z')));
}

const unmappable = (source: string, topic: string, body: unknown): UnmappableChangeError => {
  try {
    commandsOf(source, topic, body);
  } catch (error) {
    if (error instanceof UnmappableChangeError) return error;
    throw error;
  }
  throw new Error('mapped');
};

describe('webhook mappings', () => {
  it("maps the seed's NetSuite inventory change to the absolute count at the default location", () => {
    const [command, ...rest] = commandsOf('netsuite', 'inventory-change', {
      event: 'inventory.updated',
      timestamp: AT,
      data: { sku: 'WIDGET-001', quantity: 150 },
    });
    expect(rest).toEqual([]);
    expect(command).toMatchObject({
      commandId: 'netsuite:msg_1',
      type: 'inventory.AdjustStock',
      streamId: 'acme/WIDGET-001',
      payload: { sku: 'WIDGET-001', location: 'main', onHand: 150 },
      metadata: { tenant: 'acme', actor: 'webhook:whk_x', sourceSystem: 'netsuite', sourceTimestamp: AT },
    });
  });

  it('takes the location a source sends', () => {
    const body = { event: 'inventory.updated', timestamp: AT, data: { sku: 'W-1', quantity: 0, location: 'berlin' } };
    expect(commandsOf('netsuite', 'inventory-change', body)[0]!.payload).toEqual({
      sku: 'W-1',
      location: 'berlin',
      onHand: 0,
    });
    const sap = { event: 'stock.updated', timestamp: AT, data: { ItemCode: 'A1', WarehouseCode: '01', InStock: 7 } };
    expect(commandsOf('sap-b1', 'item-warehouse', sap)[0]!.payload).toEqual({ sku: 'A1', location: '01', onHand: 7 });
    const d365 = { event: 'inventory.updated', timestamp: AT, data: { itemNumber: '1896-S', inventory: 3 } };
    expect(commandsOf('dynamics-365', 'inventory', d365)[0]!.payload).toEqual({
      sku: '1896-S',
      location: 'main',
      onHand: 3,
    });
  });

  it('maps Shopify inventory levels by SKU and location id, and products per variant', () => {
    const level = {
      inventory_item_id: 271878346596884,
      location_id: 24826418,
      available: 6,
      updated_at: '2025-07-15T06:30:00-04:00',
      sku: 'TSHIRT-M',
    };
    expect(commandsOf('shopify', 'inventory_levels/update', level, 'b54557e4')[0]).toMatchObject({
      commandId: 'shopify:b54557e4',
      type: 'inventory.AdjustStock',
      payload: { sku: 'TSHIRT-M', location: '24826418', onHand: 6 },
      metadata: { sourceTimestamp: '2025-07-15T06:30:00-04:00' },
    });
    const product = {
      id: 788032119674292900,
      title: 'Example T-Shirt',
      updated_at: AT,
      variants: [
        { sku: 'TSHIRT-S', title: 'Small' },
        { sku: 'TSHIRT-M', title: 'Medium' },
      ],
    };
    const created = commandsOf('shopify', 'products/create', product, 'd1');
    expect(created.map((c) => [c.commandId, c.type, c.payload])).toEqual([
      ['shopify:d1:0', 'catalog.RegisterProduct', { sku: 'TSHIRT-S', name: 'Example T-Shirt - Small', unit: 'EA' }],
      ['shopify:d1:1', 'catalog.RegisterProduct', { sku: 'TSHIRT-M', name: 'Example T-Shirt - Medium', unit: 'EA' }],
    ]);
    const updated = commandsOf('shopify', 'products/update', {
      ...product,
      variants: [{ sku: 'CAP', title: 'Default Title' }],
    });
    expect(updated.map((c) => [c.type, c.payload])).toEqual([
      ['catalog.UpdateProduct', { sku: 'CAP', name: 'Example T-Shirt' }],
    ]);
  });

  it('maps items and prices of every ERP source, prices in minor units', () => {
    const item = (event: string) => ({ event, timestamp: AT, data: { sku: 'W-1', name: 'Widget' } });
    expect(commandsOf('netsuite', 'item-change', item('item.created'))[0]).toMatchObject({
      type: 'catalog.RegisterProduct',
      payload: { sku: 'W-1', name: 'Widget', unit: 'EA' },
    });
    expect(commandsOf('netsuite', 'item-change', item('item.updated'))[0]).toMatchObject({
      type: 'catalog.UpdateProduct',
      payload: { sku: 'W-1', name: 'Widget' },
    });
    const price = {
      event: 'price.updated',
      timestamp: AT,
      data: { sku: 'W-1', priceList: 'WHOLESALE', price: '12.9' },
    };
    expect(commandsOf('netsuite', 'price-change', price)[0]).toMatchObject({
      type: 'pricing.PutBasePrice',
      payload: { priceListId: 'WHOLESALE', sku: 'W-1', unitPrice: 1290, effectiveFrom: STANDING },
      metadata: { sourceTimestamp: AT },
    });
    const sapItem = {
      event: 'item.added',
      timestamp: AT,
      data: { ItemCode: 'A1', ItemName: 'Bolt', InventoryUOM: 'box' },
    };
    expect(commandsOf('sap-b1', 'items', sapItem)[0]!.payload).toEqual({ sku: 'A1', name: 'Bolt', unit: 'BOX' });
    const sapPrice = { event: 'price.updated', timestamp: AT, data: { ItemCode: 'A1', PriceList: 1, Price: 3.5 } };
    expect(commandsOf('sap-b1', 'item-prices', sapPrice)[0]).toMatchObject({
      type: 'pricing.PutBasePrice',
      payload: { priceListId: '1', sku: 'A1', unitPrice: 350, effectiveFrom: STANDING },
    });
    const d365Item = { event: 'item.updated', timestamp: AT, data: { number: '1896-S', displayName: 'Desk' } };
    expect(commandsOf('dynamics-365', 'items', d365Item)[0]).toMatchObject({
      type: 'catalog.UpdateProduct',
      payload: { sku: '1896-S', name: 'Desk' },
    });
    const d365Price = {
      event: 'price.updated',
      timestamp: AT,
      data: { itemNumber: '1896-S', priceListCode: 'S00001', unitPrice: 649.4 },
    };
    expect(commandsOf('dynamics-365', 'price-list-lines', d365Price)[0]).toMatchObject({
      type: 'pricing.PutBasePrice',
      payload: { priceListId: 'S00001', sku: '1896-S', unitPrice: 64940, effectiveFrom: STANDING },
    });
  });

  it('names one line per list and SKU for every price delivery, whatever its timestamp', () => {
    // A later price of the same line must replace it, not start an overlapping one at its own time.
    const later = '2025-09-01T08:00:00Z';
    for (const [source, topic, data] of [
      ['netsuite', 'price-change', { sku: 'W-1', priceList: 'P', price: 2 }],
      ['sap-b1', 'item-prices', { ItemCode: 'W-1', PriceList: 'P', Price: 2 }],
      ['dynamics-365', 'price-list-lines', { itemNumber: 'W-1', priceListCode: 'P', unitPrice: 2 }],
    ] as const) {
      const [first, second] = [AT, later].map(
        (timestamp, i) => commandsOf(source, topic, { event: 'price.updated', timestamp, data }, `msg_${i}`)[0]!,
      );
      expect({ source, payload: second!.payload }).toEqual({ source, payload: first!.payload });
      expect(first!.payload).toEqual({ priceListId: 'P', sku: 'W-1', unitPrice: 200, effectiveFrom: STANDING });
      expect([first!.metadata.sourceTimestamp, second!.metadata.sourceTimestamp]).toEqual([AT, later]);
    }
  });

  it('names the field a body gets wrong', () => {
    expect(
      unmappable('netsuite', 'inventory-change', { event: 'inventory.updated', timestamp: AT, data: { sku: 'W' } })
        .message,
    ).toMatch(/data\.quantity/);
    expect(
      unmappable('netsuite', 'inventory-change', { event: 'inventory.deleted', timestamp: AT, data: {} }).fields.map(
        (f) => f.path,
      ),
    ).toContain('event');
    expect(
      unmappable('shopify', 'inventory_levels/update', {
        inventory_item_id: 1,
        location_id: 2,
        available: 3,
        updated_at: AT,
      }).message,
    ).toMatch(/^sku/);
    expect(
      unmappable('netsuite', 'price-change', {
        event: 'price.updated',
        timestamp: AT,
        data: { sku: 'W', priceList: 'P', price: 1.999 },
      }).message,
    ).toMatch(/data\.price/);
    // The command's own schema has the last word: a count may not be negative.
    expect(
      unmappable('sap-b1', 'item-warehouse', {
        event: 'stock.updated',
        timestamp: AT,
        data: { ItemCode: 'A', InStock: -1 },
      }).message,
    ).toMatch(/onHand/);
    expect(unmappable('netsuite', 'inventory-change', 'not an object').message).toMatch(/body/);
  });

  it('knows no other source or topic', () => {
    expect(topicOf('quickbooks', 'inventory-change')).toBeUndefined();
    expect(topicOf('netsuite', 'orders')).toBeUndefined();
    expect(topicOf('netsuite', 'constructor')).toBeUndefined();
    expect(topicOf('__proto__', 'x')).toBeUndefined();
  });
});
