import { stockCacheKey } from '@verity/projection-inventory-stock';
import { cachePatternOf } from './projection-cache-keys';

describe('read models cache key patterns', () => {
  it('matches the keys the read model writes, under the prefix only', () => {
    const pattern = cachePatternOf('inventory-stock', 'verity');
    expect(pattern).toBe(stockCacheKey('verity', '*', '*'));
    const matches = (key: string) => new RegExp(`^${pattern!.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(key);
    expect(matches(stockCacheKey('verity', 'acme', 'SKU-1'))).toBe(true);
    expect(matches(stockCacheKey('other', 'acme', 'SKU-1'))).toBe(false);
  });

  it('has a pattern for every read model with a cache, none for one without', () => {
    for (const name of ['inventory-stock', 'catalog-products', 'aliases-registry', 'pricing', 'source-conflicts'])
      expect(cachePatternOf(name, 'p')).toMatch(/^p:.*\*/);
    expect(cachePatternOf('sync-status', 'p')).toBeUndefined();
  });
});
