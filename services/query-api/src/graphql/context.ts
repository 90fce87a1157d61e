import DataLoader from 'dataloader';
import { readStockViews, type StockView } from '@verity/projection-inventory-stock';
import { readSkuRulesOf, type SkuRules } from '@verity/projection-pricing';
import type { CachedReadDeps } from '../cached-reads';
import type { Freshness } from '../consistency';
import type { TenantDb } from '../tenant-db';
import type { Principal } from '@verity/service-kit';
import type { ChangeFeed } from './change-feed';
import type { SubscriptionQuota } from './subscription-quota';
import type { ResolutionRecorder } from '../resolution-log';

/** The rules of one SKU of one price list. */
export interface PriceKey {
  priceListId: string;
  sku: string;
}

/** What every GraphQL operation of one request sees; built per request. Single-entity reads go through the REST read-through (`CachedReadDeps`). */
export interface GraphqlContext extends CachedReadDeps {
  /** Who is calling: the credential the guard verified. */
  principal: Principal;
  /** The credential's tenant (`tenantOf`): every read and every subscription's filter is of it. */
  tenant: string;
  feed: ChangeFeed;
  /** The open subscriptions of each credential on this instance. */
  subscriptions: SubscriptionQuota;
  now: () => Date;
  /** Set when the request's consistency token was waited for: single reads then skip the cache, as REST does. */
  consistency?: Freshness;
  /** Stock views of this request's SKUs, loaded in one batch per tick (no N+1 under `products { stock }`). */
  stockLoader: DataLoader<string, StockView | null>;
  /** SKU rules of this request's (price list, SKU) pairs, one batch per tick (no N+1 under `products { price }`); null for an unknown list. */
  priceLoader: DataLoader<PriceKey, SkuRules | null, string>;
  /** Where alias resolutions are recorded; none: nothing is. */
  resolutions?: ResolutionRecorder;
}

/** A per-request loader of stock views; `onBatch` sees each batch's size (metrics). */
export function createStockLoader(
  db: TenantDb,
  schema: string,
  tenant: string,
  onBatch: (size: number) => void = () => undefined,
): DataLoader<string, StockView | null> {
  return new DataLoader<string, StockView | null>(async (skus) => {
    onBatch(skus.length);
    const views = await db.read(tenant, (trx) => readStockViews(trx, schema, tenant, skus));
    return skus.map((s) => views.get(s) ?? null);
  });
}

/** A per-request loader of SKU rules: two SQL queries per price list in the batch, whatever the number of SKUs. */
export function createPriceLoader(
  db: TenantDb,
  schema: string,
  tenant: string,
  onBatch: (size: number) => void = () => undefined,
): DataLoader<PriceKey, SkuRules | null, string> {
  return new DataLoader<PriceKey, SkuRules | null, string>(
    async (keys) => {
      onBatch(keys.length);
      const skusOf = new Map<string, string[]>();
      for (const { priceListId, sku } of keys) skusOf.set(priceListId, [...(skusOf.get(priceListId) ?? []), sku]);
      const lists = new Map(
        await Promise.all(
          [...skusOf].map(
            async ([priceListId, skus]) =>
              [
                priceListId,
                await db.read(tenant, (trx) => readSkuRulesOf(trx, schema, tenant, priceListId, skus)),
              ] as const,
          ),
        ),
      );
      return keys.map(({ priceListId, sku }) => lists.get(priceListId)?.get(sku) ?? null);
    },
    { cacheKeyFn: ({ priceListId, sku }) => `${priceListId}\n${sku}` },
  );
}
