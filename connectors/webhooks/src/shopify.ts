import { z } from 'zod';
import { code, count, fieldsOf, instant } from './body-fields';
import { DEFAULT_UNIT, type MappedChange, type TopicMapping } from './mapped-change';

// Only the fields a command needs: Shopify's ids (`inventory_item_id`, a product's `id`) are not
// read, and may exceed what a JSON number holds exactly.
const inventoryLevel = z.object({
  location_id: code,
  available: count,
  updated_at: instant,
  /** Shopify's payload names the inventory item only by id: the SKU must be added (by a Flow or an app). */
  sku: code,
});

const product = z.object({
  title: z.string(),
  body_html: z.string().nullish(),
  updated_at: instant,
  variants: z.array(z.object({ sku: code, title: z.string().optional() })).min(1),
});

/** A variant's name: the product's title, and the variant's own when the product has several. */
const variantName = (title: string, variant: { title?: string | undefined }, variants: number): string =>
  variants > 1 && variant.title && variant.title !== 'Default Title' ? `${title} - ${variant.title}` : title;

function productChanges(body: unknown, type: 'catalog.RegisterProduct' | 'catalog.UpdateProduct'): MappedChange[] {
  const p = fieldsOf(product, body);
  return p.variants.map((variant) => ({
    type,
    payload: {
      sku: variant.sku,
      name: variantName(p.title, variant, p.variants.length),
      ...(type === 'catalog.RegisterProduct' ? { unit: DEFAULT_UNIT } : {}),
    },
    sourceTimestamp: p.updated_at,
  }));
}

/**
 * Shopify's webhook topics (`X-Shopify-Topic`), with the REST Admin API's bodies. A product is
 * one Verity product per variant, by the variant's SKU; an inventory level is the absolute count
 * available at a Shopify location (its id is the location).
 */
export const shopifyTopics: Record<string, TopicMapping> = {
  'inventory_levels/update': (body) => {
    const level = fieldsOf(inventoryLevel, body);
    return [
      {
        type: 'inventory.AdjustStock',
        payload: { sku: level.sku, location: level.location_id, onHand: level.available },
        sourceTimestamp: level.updated_at,
      },
    ];
  },
  'products/create': (body) => productChanges(body, 'catalog.RegisterProduct'),
  'products/update': (body) => productChanges(body, 'catalog.UpdateProduct'),
};
