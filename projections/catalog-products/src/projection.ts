import type { Projection, ProjectedEvent } from '@verity/events';
import { productMigrations } from './migrations';
import { cacheProductView, changesChannel, productCacheKey } from './product-cache';
import { readProductView } from './product-view';

/** What a batch changed: one product of one tenant. */
export interface ProductChange {
  tenant: string;
  sku: string;
}

type Store = Parameters<Projection['apply']>[0];

interface RegisteredData {
  sku: string;
  name: string;
  unit: string;
  description: string | null;
  attributes: Record<string, string> | null;
}
interface UpdatedData {
  sku: string;
  name: string | null;
  description: string | null;
  unit: string | null;
  attributes: Record<string, string> | null;
}
interface DiscontinuedData {
  sku: string;
}

const products = (store: Store) => store.db.withSchema(store.schema).table('products');

async function applyRegistered(store: Store, event: ProjectedEvent): Promise<ProductChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku, name, unit, description, attributes } = event.data as unknown as RegisteredData;
  const row = { name, unit, description: description ?? null, attributes: JSON.stringify(attributes ?? {}), status: 'active', version: streamVersion, updated_at: time };
  await products(store)
    .insert({ tenant, sku, ...row })
    .onConflict(['tenant', 'sku'])
    .merge(row);
  return [{ tenant, sku }];
}

async function applyUpdated(store: Store, event: ProjectedEvent): Promise<ProductChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku, name, description, unit, attributes } = event.data as unknown as UpdatedData;
  const changes: Record<string, unknown> = { version: streamVersion, updated_at: time };
  if (name !== null && name !== undefined) changes.name = name;
  if (description !== null && description !== undefined) changes.description = description;
  if (unit !== null && unit !== undefined) changes.unit = unit;
  if (attributes !== null && attributes !== undefined) changes.attributes = JSON.stringify(attributes);
  await products(store).where({ tenant, sku }).update(changes);
  return [{ tenant, sku }];
}

async function applyDiscontinued(store: Store, event: ProjectedEvent): Promise<ProductChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku } = event.data as unknown as DiscontinuedData;
  await products(store).where({ tenant, sku }).update({ status: 'discontinued', version: streamVersion, updated_at: time });
  return [{ tenant, sku }];
}

/** The catalog's products, one row per tenant and SKU, with the product stream's version. */
export const catalogProductsProjection: Projection<ProductChange> = {
  name: 'catalog-products',
  contexts: ['catalog'],
  migrations: productMigrations,
  async apply(store, event) {
    switch (event.type) {
      case 'verity.catalog.ProductRegistered':
        return applyRegistered(store, event);
      case 'verity.catalog.ProductUpdated':
        return applyUpdated(store, event);
      case 'verity.catalog.ProductDiscontinued':
        return applyDiscontinued(store, event);
      default:
        return [];
    }
  },
  async publish(store, cache, changes) {
    const unique = [...new Map(changes.map((c) => [`${c.tenant}/${c.sku}`, c])).values()];
    for (const { tenant, sku } of unique) {
      const view = await readProductView(store.db, store.schema, tenant, sku);
      if (!view) continue;
      await cacheProductView(cache.redis, cache.keyPrefix, view);
      await cache.redis.publish(
        changesChannel(cache.keyPrefix),
        JSON.stringify({ context: 'catalog', tenant, sku, key: productCacheKey(cache.keyPrefix, tenant, sku), version: view.version }),
      );
    }
  },
};
