import { publishChangeNotice, type Projection, type ProjectedEvent, type ProjectionTransaction } from '@verity/events';
import { pricingMigrations } from './migrations';
import { invalidateSkuRules, quoteCacheKey } from './pricing-cache';

/** What a batch changed: a list (sku null when only the list itself changed) at a stream version. */
export interface PricingChange {
  tenant: string;
  priceListId: string;
  sku: string | null;
  version: number;
}

const PRICING_EVENTS = [
  'verity.pricing.PriceListCreated',
  'verity.pricing.BasePriceSet',
  'verity.pricing.BasePriceReplaced',
  'verity.pricing.BasePriceRemoved',
  'verity.pricing.CustomerPriceSet',
  'verity.pricing.QuantityTiersSet',
] as const;

type PricingEvent = ProjectedEvent<(typeof PRICING_EVENTS)[number]>;
type RuleEvent = ProjectedEvent<
  'verity.pricing.BasePriceSet' | 'verity.pricing.CustomerPriceSet' | 'verity.pricing.QuantityTiersSet'
>;
type LineEvent = ProjectedEvent<'verity.pricing.BasePriceReplaced' | 'verity.pricing.BasePriceRemoved'>;

/** The columns of a rule that depend on its kind. */
interface RuleTerms {
  kind: 'base' | 'customer' | 'tiers';
  customer_id: string | null;
  unit_price: number | null;
  /** JSON of `[{minQuantity, unitPrice}]`. */
  tiers: string | null;
}

function termsOf(event: RuleEvent): RuleTerms {
  switch (event.type) {
    case 'verity.pricing.BasePriceSet':
      return { kind: 'base', customer_id: null, unit_price: event.data.unitPrice, tiers: null };
    case 'verity.pricing.CustomerPriceSet':
      return { kind: 'customer', customer_id: event.data.customerId, unit_price: event.data.unitPrice, tiers: null };
    case 'verity.pricing.QuantityTiersSet':
      return {
        kind: 'tiers',
        customer_id: event.data.customerId,
        unit_price: null,
        tiers: JSON.stringify(event.data.tiers.map(({ minQuantity, unitPrice }) => ({ minQuantity, unitPrice }))),
      };
  }
}

async function applyCreated(
  store: ProjectionTransaction,
  event: ProjectedEvent<'verity.pricing.PriceListCreated'>,
): Promise<PricingChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { priceListId, name, currency } = event.data;
  const row = { name, currency, version: streamVersion, updated_at: time };
  await store.db
    .withSchema(store.schema)
    .table('price_lists')
    .insert({ tenant, price_list_id: priceListId, ...row })
    .onConflict(['tenant', 'price_list_id'])
    .merge(row);
  return [{ tenant, priceListId, sku: null, version: streamVersion }];
}

/** The list's version moves with every rule change, so its ETag and the quote cache see it. */
async function touchList(store: ProjectionTransaction, event: RuleEvent | LineEvent): Promise<PricingChange[]> {
  const { tenant, streamVersion, time } = event.metadata;
  const { priceListId, sku } = event.data;
  await store.db
    .withSchema(store.schema)
    .table('price_lists')
    .where({ tenant, price_list_id: priceListId })
    .update({ version: streamVersion, updated_at: time });
  return [{ tenant, priceListId, sku, version: streamVersion }];
}

async function applyRule(store: ProjectionTransaction, event: RuleEvent): Promise<PricingChange[]> {
  const { tenant, streamVersion } = event.metadata;
  const { priceListId, sku, effectiveFrom, effectiveTo } = event.data;
  const row = { ...termsOf(event), sku, effective_from: effectiveFrom, effective_to: effectiveTo };
  await store.db
    .withSchema(store.schema)
    .table('price_rules')
    .insert({ tenant, price_list_id: priceListId, version: streamVersion, ...row })
    .onConflict(['tenant', 'price_list_id', 'version'])
    .merge(row);
  return touchList(store, event);
}

/**
 * A base line is its SKU and start; a replacement gives it the new terms and the version of the
 * event that set them (the rule's version is the event that last set it), a removal deletes it.
 * Both are idempotent, so a batch applied again after a crash changes nothing more.
 */
async function applyLine(store: ProjectionTransaction, event: LineEvent): Promise<PricingChange[]> {
  const { tenant, streamVersion } = event.metadata;
  const { priceListId, sku, effectiveFrom } = event.data;
  const line = store.db
    .withSchema(store.schema)
    .table('price_rules')
    .where({ tenant, price_list_id: priceListId, kind: 'base', sku })
    .where('effective_from', new Date(effectiveFrom));
  if (event.type === 'verity.pricing.BasePriceRemoved') await line.delete();
  else
    await line.update({
      unit_price: event.data.unitPrice,
      effective_to: event.data.effectiveTo,
      version: streamVersion,
    });
  return touchList(store, event);
}

function apply(store: ProjectionTransaction, event: PricingEvent): Promise<PricingChange[]> {
  switch (event.type) {
    case 'verity.pricing.PriceListCreated':
      return applyCreated(store, event);
    case 'verity.pricing.BasePriceReplaced':
    case 'verity.pricing.BasePriceRemoved':
      return applyLine(store, event);
    default:
      return applyRule(store, event);
  }
}

/** Price lists and their rules, one row per rule (tenant in every row); quotes are computed from them by the query API. */
export const pricingProjection: Projection<PricingEvent['type'], PricingChange> = {
  name: 'pricing',
  contexts: ['pricing'],
  events: PRICING_EVENTS,
  migrations: pricingMigrations,
  apply,
  async publish(_store, cache, changes) {
    // The newest version per (tenant, list, sku): invalidate its cached quotes, then tell subscribers.
    const newest = new Map<string, PricingChange>();
    for (const change of changes) {
      const id = `${change.tenant}/${change.priceListId}/${change.sku ?? ''}`;
      if ((newest.get(id)?.version ?? -1) < change.version) newest.set(id, change);
    }
    // Issued together, they go out back to back on the one connection and run in that order:
    // each SKU's quotes are invalidated before its notice is published, at one round trip a batch.
    await Promise.all(
      [...newest.values()].flatMap(({ tenant, priceListId, sku, version }) => [
        ...(sku === null ? [] : [invalidateSkuRules(cache.redis, cache.keyPrefix, tenant, priceListId, sku, version)]),
        publishChangeNotice(cache.redis, cache.keyPrefix, {
          context: 'pricing',
          tenant,
          priceListId,
          sku,
          key: sku === null ? null : quoteCacheKey(cache.keyPrefix, tenant, priceListId, sku),
          version,
        }),
      ]),
    );
  },
};
