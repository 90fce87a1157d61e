import { progressLine, rowsPerSecond } from './progress';

describe('progressLine', () => {
  it('gives rows done of all, the rate of this run and the time left at that rate', () => {
    expect(progressLine({ done: 12_000, total: 20_000, skipped: 0, elapsedMs: 30_000 })).toBe(
      '12,000/20,000 rows (60.0%)  400 rows/s  ETA 0:20',
    );
    expect(progressLine({ done: 1_000, total: 20_000_000, skipped: 0, elapsedMs: 1_000 })).toMatch(/ETA 5:33:19$/);
  });

  it('does not count rows a checkpoint skipped in the rate, and has no ETA before any row', () => {
    expect(rowsPerSecond({ done: 15_000, total: 20_000, skipped: 10_000, elapsedMs: 10_000 })).toBe(500);
    expect(progressLine({ done: 0, total: 10, skipped: 0, elapsedMs: 0 })).toBe('0/10 rows (0.0%)  0 rows/s  ETA -');
  });

  it('names what it counts', () => {
    expect(progressLine({ done: 5, total: 10, skipped: 0, elapsedMs: 1_000 }, 'records')).toBe(
      '5/10 records (50.0%)  5 records/s  ETA 0:01',
    );
  });
});
