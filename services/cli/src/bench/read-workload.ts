/**
 * What the read phase seeds and reads: a tenant of its own (the write runs' `bench` SKUs change
 * under load; these stay as seeded), SKUs with stock and a few aliases, and the keys under which
 * the reference server keeps the bytes the query API answered for each.
 */
export const READ_TENANT = 'bench-reads';
/** The context the seeded aliases live in. */
export const READ_ALIAS_CONTEXT = 'backend';
/** Aliases seeded and cycled over: a few, as the resolve route serves a registry far smaller than the catalogue. */
export const READ_ALIASES = 8;

/** One cached read: the path both servers answer, and where the reference keeps its answer. */
export interface CachedRead {
  path: string;
  referenceKey: string;
}

/** One of the routes measured, the paths it cycles over. */
export interface ReadRoute {
  /** As issue 9 names it, e.g. `GET /v1/inventory/{sku}`. */
  route: string;
  /** Short, for the table's rows. */
  label: string;
  reads: CachedRead[];
}

export const readSku = (i: number): string => `SKU-${i}`;
export const readAlias = (i: number): { alias: string; canonical: string } => ({
  alias: `alias-${i}`,
  canonical: `service-${i}`,
});

/** The reference's keys: the sandbox prefix first, so the sandbox's cleanup removes them. */
export const referenceStockKey = (keyPrefix: string, tenant: string, sku: string): string =>
  `${keyPrefix}:bench:reads:inventory:${tenant}:${sku}`;
export const referenceResolutionKey = (keyPrefix: string, tenant: string, context: string, alias: string): string =>
  `${keyPrefix}:bench:reads:aliases:${tenant}:${context}:${alias}`;

export function inventoryRoute(keyPrefix: string, skus: number): ReadRoute {
  return {
    route: 'GET /v1/inventory/{sku}',
    label: 'inventory/{sku}',
    reads: Array.from({ length: skus }, (_, i) => ({
      path: `/v1/inventory/${readSku(i)}`,
      referenceKey: referenceStockKey(keyPrefix, READ_TENANT, readSku(i)),
    })),
  };
}

export function aliasRoute(keyPrefix: string, aliases: number): ReadRoute {
  return {
    route: 'GET /api/aliases/resolve/{context}/{alias}',
    label: 'aliases/resolve',
    reads: Array.from({ length: aliases }, (_, i) => ({
      path: `/api/aliases/resolve/${READ_ALIAS_CONTEXT}/${readAlias(i).alias}`,
      referenceKey: referenceResolutionKey(keyPrefix, READ_TENANT, READ_ALIAS_CONTEXT, readAlias(i).alias),
    })),
  };
}
