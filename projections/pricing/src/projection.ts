import type { Projection, ProjectedEvent } from '@verity/events';
import { pricingMigrations } from './migrations';
import { changesChannel, invalidateSkuRules, quoteCacheKey } from './pricing-cache';

/** What a batch changed: a list (sku null when only the list itself changed) at a stream version. */
export interface PricingChange {
  tenant: string;
  priceListId: string;
  sku: string | null;
  version: number;
}

type Store = Parameters<Projection['apply']>[0];

interface CreatedData {
  priceListId: string;
  name: string;
  currency: string;
}
interface RuleData {
  priceListId: string;
  sku: string;
  customerId?: string | null;
  unitPrice?: number | null;
  tiers?: { minQuantity: number; unitPrice: number }[];
  effectiveFrom: string;
  effectiveTo: string | null;
}

const KINDS: Record<string, 'base' | 'customer' | 'tiers'> = {
  'verity.pricing.BasePriceSet': 'base',
  'verity.pricing.CustomerPriceSet': 'customer',
  'verity.pricing.QuantityTiersSet': 'tiers',
};

async function applyCreated(store: Store, event: ProjectedEvent): Promise<PricingChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { priceListId, name, currency } = event.data as unknown as CreatedData;
  const row = { name, currency, version: streamVersion, updated_at: time };
  await store.db.withSchema(store.schema).table('price_lists').insert({ tenant, price_list_id: priceListId, ...row }).onConflict(['tenant', 'price_list_id']).merge(row);
  return [{ tenant, priceListId, sku: null, version: streamVersion }];
}

async function applyRule(store: Store, event: ProjectedEvent, kind: 'base' | 'customer' | 'tiers'): Promise<PricingChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const data = event.data as unknown as RuleData;
  const row = {
    kind,
    sku: data.sku,
    customer_id: data.customerId ?? null,
    unit_price: kind === 'tiers' ? null : Number(data.unitPrice),
    tiers: kind === 'tiers' ? JSON.stringify((data.tiers ?? []).map((t) => ({ minQuantity: Number(t.minQuantity), unitPrice: Number(t.unitPrice) }))) : null,
    effective_from: data.effectiveFrom,
    effective_to: data.effectiveTo ?? null,
  };
  await store.db
    .withSchema(store.schema)
    .table('price_rules')
    .insert({ tenant, price_list_id: data.priceListId, version: streamVersion, ...row })
    .onConflict(['tenant', 'price_list_id', 'version'])
    .merge(row);
  await store.db.withSchema(store.schema).table('price_lists').where({ tenant, price_list_id: data.priceListId }).update({ version: streamVersion, updated_at: time });
  return [{ tenant, priceListId: data.priceListId, sku: data.sku, version: streamVersion }];
}

/** Price lists and their rules, one row per rule (tenant in every row); quotes are computed from them by the query API. */
export const pricingProjection: Projection<PricingChange> = {
  name: 'pricing',
  contexts: ['pricing'],
  migrations: pricingMigrations,
  async apply(store, event) {
    if (event.type === 'verity.pricing.PriceListCreated') return applyCreated(store, event);
    const kind = KINDS[event.type];
    return kind ? applyRule(store, event, kind) : [];
  },
  async publish(_store, cache, changes) {
    // The newest version per (tenant, list, sku): invalidate its cached quotes, then tell subscribers.
    const newest = new Map<string, PricingChange>();
    for (const change of changes) {
      const id = `${change.tenant}/${change.priceListId}/${change.sku ?? ''}`;
      if ((newest.get(id)?.version ?? -1) < change.version) newest.set(id, change);
    }
    for (const { tenant, priceListId, sku, version } of newest.values()) {
      if (sku !== null) await invalidateSkuRules(cache.redis, cache.keyPrefix, tenant, priceListId, sku, version);
      await cache.redis.publish(
        changesChannel(cache.keyPrefix),
        JSON.stringify({ context: 'pricing', tenant, priceListId, sku, key: sku === null ? null : quoteCacheKey(cache.keyPrefix, tenant, priceListId, sku), version }),
      );
    }
  },
};
