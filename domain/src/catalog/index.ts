import { defineContext, type ReferenceDefinition } from '@verity/core';
import { authorityReference } from '../sources';
import {
  discontinueProductSchema,
  registerProductSchema,
  resolveConflictSchema,
  updateProductSchema,
  type CatalogCommand,
} from './commands';
import { catalogDecider, type ProductState } from './decider';
import { CATALOG_EVENTS, type CatalogEvent } from './events';

export const catalogContext = defineContext<ProductState, CatalogCommand, CatalogEvent>({
  name: 'catalog',
  commands: {
    RegisterProduct: { schema: registerProductSchema, aggregateId: (payload) => String(payload.sku) },
    UpdateProduct: { schema: updateProductSchema, aggregateId: (payload) => String(payload.sku) },
    DiscontinueProduct: { schema: discontinueProductSchema, aggregateId: (payload) => String(payload.sku) },
    ResolveConflict: { schema: resolveConflictSchema, aggregateId: (payload) => String(payload.sku) },
  },
  decider: catalogDecider,
  events: CATALOG_EVENTS,
  references: { authority: authorityReference(['UpdateProduct']) },
});

/** What other contexts may decide on about a product: whether it exists and is active. */
export interface ProductReference {
  status: ProductState['status'];
}

export const productReference = (commands: readonly string[]): ReferenceDefinition => ({
  context: 'catalog',
  commands,
  aggregateId: (payload) => String(payload.sku),
  view: (state): ProductReference => ({ status: (state as ProductState).status }),
});

export { catalogDecider, type ProductState } from './decider';
export type { CatalogCommand } from './commands';
export type { CatalogEvent } from './events';
