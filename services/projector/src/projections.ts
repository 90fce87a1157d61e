import type { Projection } from '@verity/events';
import { inventoryStockProjection } from '@verity/projection-inventory-stock';
import { catalogProductsProjection } from '@verity/projection-catalog-products';

/** Every read model this service builds. */
export const projections: readonly Projection[] = [inventoryStockProjection as Projection, catalogProductsProjection as Projection];
