import { aliasRoute, inventoryRoute, READ_TENANT } from './read-workload';

describe('the reads the bench seeds and measures', () => {
  it("cycles over the SKUs' paths, each with a reference key under the sandbox prefix", () => {
    const route = inventoryRoute('benchabc', 3);
    expect(route.route).toBe('GET /v1/inventory/{sku}');
    expect(route.reads).toEqual([
      { path: '/v1/inventory/SKU-0', referenceKey: `benchabc:bench:reads:inventory:${READ_TENANT}:SKU-0` },
      { path: '/v1/inventory/SKU-1', referenceKey: `benchabc:bench:reads:inventory:${READ_TENANT}:SKU-1` },
      { path: '/v1/inventory/SKU-2', referenceKey: `benchabc:bench:reads:inventory:${READ_TENANT}:SKU-2` },
    ]);
  });

  it("resolves the seeded aliases in their context, keys apart from the query API's", () => {
    const route = aliasRoute('benchabc', 2);
    expect(route.route).toBe('GET /api/aliases/resolve/{context}/{alias}');
    expect(route.reads.map((r) => r.path)).toEqual([
      '/api/aliases/resolve/backend/alias-0',
      '/api/aliases/resolve/backend/alias-1',
    ]);
    expect(route.reads[0]?.referenceKey).toBe(`benchabc:bench:reads:aliases:${READ_TENANT}:backend:alias-0`);
    // The query API's own key of the same alias (aliasResolveKey) is `<prefix>:aliases:resolve:…`: never overwritten.
    expect(route.reads.every((r) => !r.referenceKey.startsWith('benchabc:aliases:'))).toBe(true);
  });
});
