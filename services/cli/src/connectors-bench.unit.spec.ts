import { UsageError } from './errors';
import { parseCdcBenchArgs } from './connectors-bench';

describe('parseCdcBenchArgs', () => {
  it('defaults, and each option', () => {
    expect(parseCdcBenchArgs([])).toEqual({ updates: 200, warmup: 20, pauseMs: 20 });
    expect(parseCdcBenchArgs(['--updates', '50', '--warmup=0', '--pause-ms', '5'])).toEqual({
      updates: 50,
      warmup: 0,
      pauseMs: 5,
    });
  });

  it('refuses what is not a count, and unknown options', () => {
    expect(() => parseCdcBenchArgs(['--updates', '0'])).toThrow(/--updates 0/);
    expect(() => parseCdcBenchArgs(['--warmup', '1.5'])).toThrow(UsageError);
    expect(() => parseCdcBenchArgs(['--rate', '5'])).toThrow(UsageError);
  });
});
