import { publishChangeNotice, type Projection, type ProjectedEvent, type ProjectionTransaction } from '@verity/events';
import { productMigrations } from './migrations';
import { cacheProductView, productCacheKey } from './product-cache';
import { readProductViews, type ProductView } from './product-view';

/** What a batch changed: one product of one tenant. */
export interface ProductChange {
  tenant: string;
  sku: string;
}

/** The catalog's product events; its conflict events change no product. */
const PRODUCT_EVENTS = [
  'verity.catalog.ProductRegistered',
  'verity.catalog.ProductUpdated',
  'verity.catalog.ProductDiscontinued',
] as const;

type ProductEvent = ProjectedEvent<(typeof PRODUCT_EVENTS)[number]>;

/** The columns an update sets: the stream version always, the fields the event carries. */
interface ProductUpdate {
  version: number;
  updated_at: string;
  name?: string;
  description?: string;
  unit?: string;
  attributes?: string;
}

const products = (store: ProjectionTransaction) => store.db.withSchema(store.schema).table('products');

async function applyRegistered(
  store: ProjectionTransaction,
  event: ProjectedEvent<'verity.catalog.ProductRegistered'>,
): Promise<ProductChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku, name, unit, description, attributes } = event.data;
  const row = {
    name,
    unit,
    description,
    attributes: JSON.stringify(attributes),
    status: 'active',
    version: streamVersion,
    updated_at: time,
  };
  await products(store)
    .insert({ tenant, sku, ...row })
    .onConflict(['tenant', 'sku'])
    .merge(row);
  return [{ tenant, sku }];
}

async function applyUpdated(
  store: ProjectionTransaction,
  event: ProjectedEvent<'verity.catalog.ProductUpdated'>,
): Promise<ProductChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku, name, description, unit, attributes } = event.data;
  const changes: ProductUpdate = { version: streamVersion, updated_at: time };
  if (name !== null) changes.name = name;
  if (description !== null) changes.description = description;
  if (unit !== null) changes.unit = unit;
  if (attributes !== null) changes.attributes = JSON.stringify(attributes);
  await products(store).where({ tenant, sku }).update(changes);
  return [{ tenant, sku }];
}

async function applyDiscontinued(
  store: ProjectionTransaction,
  event: ProjectedEvent<'verity.catalog.ProductDiscontinued'>,
): Promise<ProductChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { sku } = event.data;
  await products(store)
    .where({ tenant, sku })
    .update({ status: 'discontinued', version: streamVersion, updated_at: time });
  return [{ tenant, sku }];
}

/** The catalog's products, one row per tenant and SKU, with the product stream's version. */
export const catalogProductsProjection: Projection<ProductEvent['type'], ProductChange> = {
  name: 'catalog-products',
  contexts: ['catalog'],
  events: PRODUCT_EVENTS,
  migrations: productMigrations,
  async apply(store, event) {
    switch (event.type) {
      case 'verity.catalog.ProductRegistered':
        return applyRegistered(store, event);
      case 'verity.catalog.ProductUpdated':
        return applyUpdated(store, event);
      case 'verity.catalog.ProductDiscontinued':
        return applyDiscontinued(store, event);
    }
  },
  async publish(store, cache, changes) {
    const unique = [...new Map(changes.map((c) => [`${c.tenant}/${c.sku}`, c])).values()];
    const skusOf = new Map<string, string[]>();
    for (const { tenant, sku } of unique) {
      const skus = skusOf.get(tenant) ?? [];
      skus.push(sku);
      skusOf.set(tenant, skus);
    }
    const viewsOf = new Map<string, Map<string, ProductView>>();
    for (const [tenant, skus] of skusOf)
      viewsOf.set(tenant, await readProductViews(store.db, store.schema, tenant, skus));
    // Issued together, they go out back to back on the one connection and run in that order:
    // each product's value is cached before its notice is published, at one round trip a batch.
    await Promise.all(
      unique.flatMap(({ tenant, sku }) => {
        const view = viewsOf.get(tenant)?.get(sku);
        if (!view) return [];
        return [
          cacheProductView(cache.redis, cache.keyPrefix, view),
          publishChangeNotice(cache.redis, cache.keyPrefix, {
            context: 'catalog',
            tenant,
            sku,
            key: productCacheKey(cache.keyPrefix, tenant, sku),
            version: view.version,
          }),
        ];
      }),
    );
  },
};
