import { Registry } from 'prom-client';
import { sharedCounter, sharedGauge, sharedHistogram } from './metrics';

describe('shared metrics', () => {
  it('returns the metric already registered under the name, so two runtimes in one service can both count', async () => {
    const registry = new Registry();
    const config = { name: 'verity_test_total', help: 'test', labelNames: ['context'] as const };
    const a = sharedCounter(registry, config);
    const b = sharedCounter(registry, config);
    expect(b).toBe(a);
    a.inc({ context: 'inventory' });
    b.inc({ context: 'catalog' }, 2);
    const text = await registry.metrics();
    expect(text).toContain('verity_test_total{context="inventory"} 1');
    expect(text).toContain('verity_test_total{context="catalog"} 2');
  });

  it('keeps registries apart', () => {
    const config = { name: 'verity_test_seconds', help: 'test' };
    expect(sharedHistogram(new Registry(), config)).not.toBe(sharedHistogram(new Registry(), config));
    const registry = new Registry();
    expect(sharedGauge(registry, { name: 'verity_test_gauge', help: 'test' })).toBe(
      sharedGauge(registry, { name: 'verity_test_gauge', help: 'test' }),
    );
  });
});
