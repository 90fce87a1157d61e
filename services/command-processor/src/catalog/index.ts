import { defineContext } from '@verity/events';
import { discontinueProductSchema, registerProductSchema, updateProductSchema, type CatalogCommand } from './commands';
import { catalogDecider, type ProductState } from './decider';
import { CATALOG_EVENTS, type CatalogEvent } from './events';

export const catalogContext = defineContext<ProductState, CatalogCommand, CatalogEvent>({
  name: 'catalog',
  commands: {
    RegisterProduct: { schema: registerProductSchema, aggregateId: (payload) => String(payload.sku) },
    UpdateProduct: { schema: updateProductSchema, aggregateId: (payload) => String(payload.sku) },
    DiscontinueProduct: { schema: discontinueProductSchema, aggregateId: (payload) => String(payload.sku) },
  },
  decider: catalogDecider,
  events: CATALOG_EVENTS,
});

export { catalogDecider, type ProductState } from './decider';
export type { CatalogCommand } from './commands';
export type { CatalogEvent } from './events';
