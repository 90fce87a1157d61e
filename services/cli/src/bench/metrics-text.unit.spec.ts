import { histogramMean, histogramOf, histogramQuantile, metricValue } from './metrics-text';

const TEXT = `# HELP verity_state_restored_records_total State records read into the local store
# TYPE verity_state_restored_records_total counter
verity_state_restored_records_total{context="catalog"} 0
verity_state_restored_records_total{context="inventory"} 1000
# TYPE verity_gateway_replies_read_total counter
verity_gateway_replies_read_total 12
# TYPE verity_timer_check_seconds histogram
verity_timer_check_seconds_bucket{le="0.001",context="inventory"} 50
verity_timer_check_seconds_bucket{le="0.005",context="inventory"} 98
verity_timer_check_seconds_bucket{le="0.01",context="inventory"} 100
verity_timer_check_seconds_bucket{le="+Inf",context="inventory"} 100
verity_timer_check_seconds_sum{context="inventory"} 0.25
verity_timer_check_seconds_count{context="inventory"} 100
verity_timer_check_seconds_bucket{le="0.001",context="pricing"} 3
verity_timer_check_seconds_bucket{le="+Inf",context="pricing"} 3
verity_timer_check_seconds_sum{context="pricing"} 0.001
verity_timer_check_seconds_count{context="pricing"} 3
`;

describe('metrics text', () => {
  it('reads a sample by name and labels, or without labels', () => {
    expect(metricValue(TEXT, 'verity_state_restored_records_total', { context: 'inventory' })).toBe(1000);
    expect(metricValue(TEXT, 'verity_state_restored_records_total', { context: 'catalog' })).toBe(0);
    expect(metricValue(TEXT, 'verity_gateway_replies_read_total')).toBe(12);
    expect(metricValue(TEXT, 'verity_state_restored_records_total', { context: 'aliases' })).toBeUndefined();
    expect(metricValue(TEXT, 'verity_missing')).toBeUndefined();
  });

  it("reads a histogram of one label set, its mean and a quantile as its bucket's upper bound", () => {
    const h = histogramOf(TEXT, 'verity_timer_check_seconds', { context: 'inventory' })!;
    expect(h.count).toBe(100);
    expect(h.buckets.map((b) => b.le)).toEqual([0.001, 0.005, 0.01, Number.POSITIVE_INFINITY]);
    expect(histogramMean(h)).toBeCloseTo(0.0025);
    expect(histogramQuantile(h, 0.5)).toBe(0.001);
    expect(histogramQuantile(h, 0.99)).toBe(0.01);
    expect(histogramQuantile(histogramOf(TEXT, 'verity_timer_check_seconds', { context: 'pricing' })!, 0.99)).toBe(
      0.001,
    );
    expect(histogramOf(TEXT, 'verity_nothing_seconds')).toBeUndefined();
  });

  it('says Infinity past the last finite bound and NaN without observations', () => {
    const h = {
      count: 10,
      sum: 50,
      buckets: [
        { le: 1, count: 5 },
        { le: Number.POSITIVE_INFINITY, count: 10 },
      ],
    };
    expect(histogramQuantile(h, 0.99)).toBe(Number.POSITIVE_INFINITY);
    expect(histogramQuantile({ count: 0, sum: 0, buckets: [] }, 0.99)).toBeNaN();
    expect(histogramMean({ count: 0, sum: 0, buckets: [] })).toBeNaN();
  });
});
