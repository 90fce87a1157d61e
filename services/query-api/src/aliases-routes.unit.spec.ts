import { decodeAliasCursor, encodeAliasCursor, histogramQuantile } from './aliases-routes';

describe('alias routes helpers', () => {
  it('a cursor round-trips; anything else is not a cursor', () => {
    const cursor = encodeAliasCursor(['backend', 'orders']);
    expect(decodeAliasCursor(cursor)).toEqual(['backend', 'orders']);
    expect(decodeAliasCursor('not a cursor!')).toBeUndefined();
    expect(decodeAliasCursor(Buffer.from('[1,2]').toString('base64url'))).toBeUndefined();
    expect(decodeAliasCursor(Buffer.from('{').toString('base64url'))).toBeUndefined();
  });

  describe('histogramQuantile (cumulative buckets, linear inside a bucket)', () => {
    const buckets = [
      { le: 0.001, count: 50 },
      { le: 0.01, count: 90 },
      { le: 0.1, count: 100 },
      { le: Infinity, count: 100 },
    ];

    it('interpolates inside the bucket holding the rank', () => {
      expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.001);
      expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.0005);
      expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.01 + 0.09 * 0.9);
    });

    it('is 0 with no observations and the last finite bound past it', () => {
      expect(
        histogramQuantile(0.5, [
          { le: 0.1, count: 0 },
          { le: Infinity, count: 0 },
        ]),
      ).toBe(0);
      expect(
        histogramQuantile(0.99, [
          { le: 0.1, count: 1 },
          { le: Infinity, count: 10 },
        ]),
      ).toBe(0.1);
    });
  });
});
