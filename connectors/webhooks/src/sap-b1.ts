import { z } from 'zod';
import { code, count, envelopeOf, fieldsOf, minorUnits } from './body-fields';
import { DEFAULT_LOCATION, DEFAULT_UNIT, STANDING_PRICE_FROM, defined, type TopicMapping } from './mapped-change';

const item = envelopeOf(
  ['item.added', 'item.updated'],
  z.object({ ItemCode: code, ItemName: z.string().optional(), InventoryUOM: z.string().optional() }),
);
const warehouseStock = envelopeOf(
  ['stock.updated'],
  z.object({ ItemCode: code, WarehouseCode: code.optional(), InStock: count }),
);
const itemPrice = envelopeOf(['price.updated'], z.object({ ItemCode: code, PriceList: code, Price: minorUnits }));

/**
 * SAP Business One has no webhooks of its own: a B1 integration (the transaction notification
 * or B1if) posts the envelope `{event, timestamp, data}` with the Service Layer's field names of
 * `Items`, `ItemWarehouseInfoCollection` and `ItemPrices`. `InStock` is the absolute count.
 */
export const sapB1Topics: Record<string, TopicMapping> = {
  items: (body) => {
    const { event, timestamp, data } = fieldsOf(item, body);
    const fields = { sku: data.ItemCode, name: data.ItemName, unit: data.InventoryUOM };
    return [
      event === 'item.added'
        ? {
            type: 'catalog.RegisterProduct',
            payload: defined({ ...fields, unit: data.InventoryUOM ?? DEFAULT_UNIT }),
            sourceTimestamp: timestamp,
          }
        : { type: 'catalog.UpdateProduct', payload: defined(fields), sourceTimestamp: timestamp },
    ];
  },
  'item-warehouse': (body) => {
    const { timestamp, data } = fieldsOf(warehouseStock, body);
    return [
      {
        type: 'inventory.AdjustStock',
        payload: { sku: data.ItemCode, location: data.WarehouseCode ?? DEFAULT_LOCATION, onHand: data.InStock },
        sourceTimestamp: timestamp,
      },
    ];
  },
  'item-prices': (body) => {
    const { timestamp, data } = fieldsOf(itemPrice, body);
    return [
      {
        type: 'pricing.PutBasePrice',
        payload: {
          priceListId: data.PriceList,
          sku: data.ItemCode,
          unitPrice: data.Price,
          effectiveFrom: STANDING_PRICE_FROM,
        },
        sourceTimestamp: timestamp,
      },
    ];
  },
};
