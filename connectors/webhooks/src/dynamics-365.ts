import { z } from 'zod';
import { code, count, envelopeOf, fieldsOf, minorUnits } from './body-fields';
import { DEFAULT_LOCATION, DEFAULT_UNIT, STANDING_PRICE_FROM, defined, type TopicMapping } from './mapped-change';

const item = envelopeOf(
  ['item.created', 'item.updated'],
  z.object({ number: code, displayName: z.string().optional(), baseUnitOfMeasureCode: z.string().optional() }),
);
const inventory = envelopeOf(
  ['inventory.updated'],
  z.object({ itemNumber: code, locationCode: code.optional(), inventory: count }),
);
const salesPrice = envelopeOf(
  ['price.updated'],
  z.object({ itemNumber: code, priceListCode: code, unitPrice: minorUnits }),
);

/**
 * Dynamics 365 Business Central's own webhooks say only that a record changed; a Power Automate
 * flow (or a business event) posts the envelope `{event, timestamp, data}` with the record in the
 * field names of Business Central's API v2.0 (`items`, item inventory by location, price list
 * lines). `inventory` is the absolute count.
 */
export const dynamics365Topics: Record<string, TopicMapping> = {
  items: (body) => {
    const { event, timestamp, data } = fieldsOf(item, body);
    const fields = { sku: data.number, name: data.displayName, unit: data.baseUnitOfMeasureCode };
    return [
      event === 'item.created'
        ? {
            type: 'catalog.RegisterProduct',
            payload: defined({ ...fields, unit: data.baseUnitOfMeasureCode ?? DEFAULT_UNIT }),
            sourceTimestamp: timestamp,
          }
        : { type: 'catalog.UpdateProduct', payload: defined(fields), sourceTimestamp: timestamp },
    ];
  },
  inventory: (body) => {
    const { timestamp, data } = fieldsOf(inventory, body);
    return [
      {
        type: 'inventory.AdjustStock',
        payload: { sku: data.itemNumber, location: data.locationCode ?? DEFAULT_LOCATION, onHand: data.inventory },
        sourceTimestamp: timestamp,
      },
    ];
  },
  'price-list-lines': (body) => {
    const { timestamp, data } = fieldsOf(salesPrice, body);
    return [
      {
        type: 'pricing.PutBasePrice',
        payload: {
          priceListId: data.priceListCode,
          sku: data.itemNumber,
          unitPrice: data.unitPrice,
          effectiveFrom: STANDING_PRICE_FROM,
        },
        sourceTimestamp: timestamp,
      },
    ];
  },
};
