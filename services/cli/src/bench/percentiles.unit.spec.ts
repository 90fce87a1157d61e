import { percentile, summarizeLatencies } from './percentiles';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks a measured value at the rank, never an interpolation', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('answers with the only value when there is one', () => {
    expect(percentile([7.5], 1)).toBe(7.5);
    expect(percentile([7.5], 99)).toBe(7.5);
  });

  it('is NaN without values, so an empty run cannot pass for a fast one', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentile(oneToHundred, 0)).toThrow(RangeError);
    expect(() => percentile(oneToHundred, 101)).toThrow(RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically, not as strings', () => {
    const summary = summarizeLatencies([10, 9, 100, 1, 2]);
    expect(summary).toEqual({ count: 5, mean: 24.4, p50: 9, p99: 100, max: 100 });
  });

  it('reports an empty run as a count of zero with NaN figures', () => {
    const summary = summarizeLatencies([]);
    expect(summary.count).toBe(0);
    expect(summary.p50).toBeNaN();
    expect(summary.max).toBeNaN();
  });
});
