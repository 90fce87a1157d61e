import { z } from 'zod';
import { code, count, envelopeOf, fieldsOf, minorUnits } from './body-fields';
import { DEFAULT_LOCATION, DEFAULT_UNIT, STANDING_PRICE_FROM, defined, type TopicMapping } from './mapped-change';

const inventoryChange = envelopeOf(
  ['inventory.updated'],
  z.object({ sku: code, quantity: count, location: code.optional() }),
);
const itemChange = envelopeOf(
  ['item.created', 'item.updated'],
  z.object({ sku: code, name: z.string().optional(), unit: z.string().optional(), description: z.string().optional() }),
);
const priceChange = envelopeOf(['price.updated'], z.object({ sku: code, priceList: code, price: minorUnits }));

/**
 * NetSuite posts what a SuiteScript (or a workflow's "Send HTTP request") sends: the envelope
 * `{event, timestamp, data}` with the record's fields. A quantity is the absolute count on hand.
 */
export const netsuiteTopics: Record<string, TopicMapping> = {
  'inventory-change': (body) => {
    const { timestamp, data } = fieldsOf(inventoryChange, body);
    return [
      {
        type: 'inventory.AdjustStock',
        payload: { sku: data.sku, location: data.location ?? DEFAULT_LOCATION, onHand: data.quantity },
        sourceTimestamp: timestamp,
      },
    ];
  },
  'item-change': (body) => {
    const { event, timestamp, data } = fieldsOf(itemChange, body);
    const fields = { name: data.name, unit: data.unit, description: data.description };
    return [
      event === 'item.created'
        ? {
            type: 'catalog.RegisterProduct',
            payload: defined({ sku: data.sku, ...fields, unit: data.unit ?? DEFAULT_UNIT }),
            sourceTimestamp: timestamp,
          }
        : { type: 'catalog.UpdateProduct', payload: defined({ sku: data.sku, ...fields }), sourceTimestamp: timestamp },
    ];
  },
  'price-change': (body) => {
    const { timestamp, data } = fieldsOf(priceChange, body);
    return [
      {
        type: 'pricing.PutBasePrice',
        payload: {
          priceListId: data.priceList,
          sku: data.sku,
          unitPrice: data.price,
          effectiveFrom: STANDING_PRICE_FROM,
        },
        sourceTimestamp: timestamp,
      },
    ];
  },
};
