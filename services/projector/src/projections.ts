import type { AnyProjection } from '@verity/events';
import { inventoryStockProjection } from '@verity/projection-inventory-stock';
import { catalogProductsProjection } from '@verity/projection-catalog-products';
import { aliasesRegistryProjection } from '@verity/projection-aliases-registry';
import { pricingProjection } from '@verity/projection-pricing';
import { sourceConflictsProjection } from '@verity/projection-source-conflicts';
import { syncStatusProjection } from '@verity/projection-sync-status';
import { streamHistoryProjection } from '@verity/projection-stream-history';

/**
 * Every read model this service builds, applied in this order in a batch's transaction.
 * `sync-status` last: its rows (one per tenant and source) are shared by the batches of every
 * partition, which wait for each other's commit on them, so they are locked as late as possible.
 */
export const projections: readonly AnyProjection[] = [
  inventoryStockProjection,
  catalogProductsProjection,
  aliasesRegistryProjection,
  pricingProjection,
  sourceConflictsProjection,
  streamHistoryProjection,
  syncStatusProjection,
];
