import { UsageError } from '../errors';
import { parseScaleOptions, scaleShapes } from './scale-options';

describe('bench scale options', () => {
  it("defaults to issue 13's sizing: 1,000,000 streams of 10 tenants, 5,000,000 outcomes, 12 partitions", () => {
    expect(parseScaleOptions([], {})).toEqual({
      streams: 1_000_000,
      tenants: 10,
      outcomes: 5_000_000,
      partitions: 12,
      connections: 64,
      durationS: 10,
      warmupS: 2,
    });
  });

  it('takes flags in both spellings over VERITY_BENCH_SCALE_* variables', () => {
    const options = parseScaleOptions(['--streams', '20000', '--outcomes=100000', '--json', 'out.json'], {
      VERITY_BENCH_SCALE_STREAMS: '50000',
      VERITY_BENCH_SCALE_PARTITIONS: '6',
    });
    expect(options).toMatchObject({ streams: 20_000, outcomes: 100_000, partitions: 6, json: 'out.json' });
  });

  it('refuses a full size below the baseline, an unknown flag and a flag without its value', () => {
    expect(() => parseScaleOptions(['--streams', '500'], {})).toThrow(UsageError);
    expect(() => parseScaleOptions(['--streams', '500'], {})).toThrow(/bench scale: streams/);
    expect(() => parseScaleOptions(['--skus', '5'], {})).toThrow(/unknown option --skus/);
    expect(() => parseScaleOptions(['--json'], {})).toThrow(/--json needs a value/);
  });

  it("gives the baseline 1,000 streams and the full size's outcomes per stream", () => {
    expect(scaleShapes({ streams: 1_000_000, tenants: 10, outcomes: 5_000_000 })).toEqual({
      baseline: { streams: 1000, tenants: 10, outcomes: 5000 },
      full: { streams: 1_000_000, tenants: 10, outcomes: 5_000_000 },
    });
    expect(scaleShapes({ streams: 20_000, tenants: 10, outcomes: 100_000 }).baseline.outcomes).toBe(5000);
  });
});
