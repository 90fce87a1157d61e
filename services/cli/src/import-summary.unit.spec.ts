import { exitCodeOf, importSummary, ROWS_REFUSED_EXIT_CODE } from './import-summary';

const counts = (over = {}) => ({ imported: 0, repeated: 0, rejected: 0, invalid: 0, pending: 0, ...over });

describe('import summary', () => {
  it('exits 0 only when every row was imported, now or before', () => {
    expect(exitCodeOf(counts({ imported: 5, repeated: 5 }))).toBe(0);
    expect(exitCodeOf(counts({ imported: 5, rejected: 1 }))).toBe(ROWS_REFUSED_EXIT_CODE);
    expect(exitCodeOf(counts({ invalid: 1 }))).toBe(ROWS_REFUSED_EXIT_CODE);
  });

  it('counts each outcome, gives the rate of this run and names the report when rows were refused', () => {
    expect(
      importSummary({
        file: 'stock.csv',
        counts: counts({ imported: 19_990, rejected: 4, invalid: 6 }),
        total: 20_000,
        thisRun: 20_000,
        elapsedMs: 40_000,
        report: 'stock.csv.rejected.ndjson',
      }),
    ).toBe(
      'stock.csv: 20,000 rows: 19,990 imported, 0 already imported, 4 rejected, 6 invalid\n' +
        '20,000 rows in 40.0 s (500 rows/s)\n' +
        'rejected and invalid rows, with their problem: stock.csv.rejected.ndjson\n',
    );
  });

  it('says how many rows a checkpoint already covered', () => {
    expect(
      importSummary({
        file: 'a.csv',
        counts: counts({ imported: 10 }),
        total: 10,
        thisRun: 4,
        elapsedMs: 2_000,
        report: 'r',
      }),
    ).toBe(
      'a.csv: 10 rows: 10 imported, 0 already imported, 0 rejected, 0 invalid\n6 rows had their outcome from the checkpoint; 4 rows this run in 2.0 s (2 rows/s)\n',
    );
  });
});
