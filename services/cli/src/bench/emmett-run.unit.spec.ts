import { VerityError } from '@verity/core';
import { readEmmettRun, type HarnessOutput } from './emmett-run';

/** The JSON line bench.mjs prints last, with every field it writes. */
const jsonLine = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    bench: 'emmett',
    versions: { emmett: '0.42.0', emmettPostgresql: '0.42.0', pongo: '0.16.11', dumbo: '0.12.7', pg: '8.23.1' },
    node: 'v20.20.2',
    postgres: '15.20 (Debian 15.20-0+deb12u1)',
    mode: 'append',
    projection: null,
    connections: 32,
    poolSize: 10,
    poolSizeSource: 'emmett-default(pg.Pool max=10)',
    dbConnectionsUsed: 10,
    retriesOnConflict: 3,
    skus: 1000,
    warmupS: 2,
    durationS: 10.001,
    commands: 12000,
    commandsPerSec: 1199.9,
    p50Ms: 24.5,
    p90Ms: 40.1,
    p99Ms: 80.25,
    maxMs: 150.5,
    errors: 0,
    errorsTotal: 0,
    conflictRetries: 3,
    acceptedTotal: 14500,
    eventsInStore: 14500,
    streams: 1000,
    verify: 'PASS',
    nodeCpuS: 6.1,
    pgBackendsCpuS: 7.2,
    pgClusterCpuS: 8.3,
    machineBusyCpuS: 18.9,
    otherProcessesCpuS: 4.5,
    cpus: 2,
    load1AtStart: 1.5,
    ...overrides,
  });

const checks = (fail: boolean): string[] => [
  '  ok   events appended == accepted commands (14500 vs 14500)',
  `  ${fail ? 'FAIL' : 'ok  '} stream positions contiguous (${fail ? 3 : 0} gaps, 0 emt_streams mismatches)`,
  `verify: ${fail ? 'FAIL' : 'PASS'}`,
];

const output = (lines: string[], exitCode: number | null = 0, stderr = ''): HarnessOutput => ({
  exitCode,
  stdout: `${lines.join('\n')}\n`,
  stderr,
});

const passing = output([
  'emmett 0.42.0, emmett-postgresql 0.42.0, pongo 0.16.11, dumbo 0.12.7, pg 8.23.1; node v20.20.2; PostgreSQL 15.20; 2 CPUs',
  '  t=1s 1180 cmd/s (in-flight 32)',
  'measured 10.00 s: 12000 commands, 1199.9 commands/s',
  ...checks(false),
  jsonLine(),
]);

const failure = (run: () => unknown): VerityError => {
  try {
    run();
  } catch (error) {
    if (error instanceof VerityError) return error;
    throw error;
  }
  throw new Error('expected a VerityError');
};

describe('the Emmett harness output', () => {
  it('reads the figures of the last line once the harness verified its store', () => {
    const run = readEmmettRun(passing);
    expect(run).toMatchObject({
      connections: 32,
      poolSize: 10,
      commands: 12000,
      commandsPerSec: 1199.9,
      p50Ms: 24.5,
      p99Ms: 80.25,
      verify: 'PASS',
      versions: { emmett: '0.42.0', emmettPostgresql: '0.42.0', pg: '8.23.1' },
      nodeCpuS: 6.1,
      pgBackendsCpuS: 7.2,
    });
    expect(run).not.toHaveProperty('bench');
  });

  it('keeps a window without successes as null latencies, not as fast ones', () => {
    const run = readEmmettRun(
      output([...checks(false), jsonLine({ commands: 0, commandsPerSec: 0, p50Ms: null, p99Ms: null })]),
    );
    expect(run).toMatchObject({ commandsPerSec: 0, p50Ms: null, p99Ms: null });
  });

  it('makes a failed verification an error of the bench, naming the checks that failed', () => {
    const error = failure(() => readEmmettRun(output([...checks(true), jsonLine({ verify: 'FAIL' })], 1)));
    expect(error.code).toBe('bench_emmett_verify_failed');
    expect(error.message).toContain('FAIL stream positions contiguous (3 gaps, 0 emt_streams mismatches)');
  });

  it('does not take a PASS in the JSON line without the verification line for it', () => {
    const error = failure(() => readEmmettRun(output(['measured 10.00 s', jsonLine()])));
    expect(error.code).toBe('bench_emmett_verify_failed');
  });

  it('reports a harness that could not run with the end of what it printed', () => {
    const error = failure(() =>
      readEmmettRun(output([], 2, 'cannot connect to postgres://…/emmett_benchx: database does not exist')),
    );
    expect(error.code).toBe('bench_emmett_failed');
    expect(error.message).toMatch(/exited with code 2:\n[\s\S]*database does not exist/);
    expect(failure(() => readEmmettRun(output([], null, 'killed after 132000 ms'))).message).toContain(
      'exited with code null',
    );
  });

  it('names what is wrong with a last line that is not the expected JSON', () => {
    expect(failure(() => readEmmettRun(output([...checks(false), 'not json']))).message).toMatch(
      /ended without its JSON line/,
    );
    const error = failure(() => readEmmettRun(output([...checks(false), jsonLine({ commandsPerSec: 'fast' })])));
    expect(error.code).toBe('bench_emmett_failed');
    expect(error.message).toContain('commandsPerSec');
  });
});
