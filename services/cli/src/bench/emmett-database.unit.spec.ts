import { databaseUrlFor, emmettDatabaseName } from './emmett-database';

describe('the Emmett benchmark database', () => {
  it('is named after the run that made it and contains "bench", which the harness requires', () => {
    expect(emmettDatabaseName('bench0a1b2c3d4e')).toBe('emmett_bench0a1b2c3d4e');
  });

  it('refuses a name that would need quoting or that the harness would refuse to reset', () => {
    expect(() => emmettDatabaseName('bench"; DROP DATABASE verity; --')).toThrow(RangeError);
    expect(() => emmettDatabaseName('t0a1b2c3d4e')).toThrow(/not a benchmark database/);
    expect(() => emmettDatabaseName(`bench${'x'.repeat(60)}`)).toThrow(RangeError);
  });

  it("keeps the project's host, port and credentials, and changes only the database", () => {
    expect(databaseUrlFor('postgres://verity:verity@127.0.0.1:5442/verity', 'emmett_bench1')).toBe(
      'postgres://verity:verity@127.0.0.1:5442/emmett_bench1',
    );
    expect(databaseUrlFor('postgresql://u:p%40ss@localhost:5442/verity?sslmode=disable', 'emmett_bench1')).toBe(
      'postgresql://u:p%40ss@localhost:5442/emmett_bench1?sslmode=disable',
    );
  });
});
