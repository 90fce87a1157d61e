import { EMMETT_SEARCH, GATEWAY_SEARCH } from './concurrency-search';
import type { EmmettComparison } from './emmett';
import type { EmmettRun } from './emmett-run';
import type { GatewaySearch, GatewayStep } from './gateway-search';
import { SERVICE_NAMES } from '../service-names';
import { toLoadResult, type LoadResult } from './load-result';
import type { ReadMeasurements } from './reads';
import {
  READS_GOAL,
  emmettReportOf,
  formatReport,
  ratiosOf,
  readsReportOf,
  reportFileName,
  visibilityReportOf,
  type BenchReport,
} from './report';
import { summarizeLatencies } from './percentiles';

const run = (
  name: string,
  operations: number,
  latenciesMs: number[],
  errorsByCause: Record<string, number> = {},
): LoadResult =>
  toLoadResult({
    name,
    operations,
    requests: latenciesMs.length + Object.values(errorsByCause).reduce((a, b) => a + b, 0),
    durationS: 10,
    latenciesMs,
    errorsByCause,
  });

const limit = run('kafka produce, 1 record/send', 20_000, [2, 2, 2, 4]);
const gateway = run('gateway ReceiveStock -> 200', 5_000, [8, 8, 8, 20], { 'status 202': 2, timeout: 1 });

const report: BenchReport = {
  startedAt: '2025-01-02T03:04:05.678Z',
  finishedAt: '2025-01-02T03:05:00.000Z',
  machine: {
    cpus: 2,
    cpuModel: 'test cpu',
    totalMemoryMb: 4096,
    node: 'v20.0.0',
    platform: 'linux',
    loadAverage: [0.5, 0.25, 0.1],
  },
  parameters: {
    durationS: 10,
    warmupS: 2,
    connections: 32,
    batchSize: 1,
    skus: 1000,
    services: ['command-processor', 'gateway'],
    instances: 1,
    out: '.verity/bench',
    partitions: 3,
    recordBytes: 300,
    topicPrefix: 'benchabc',
    emmett: false,
    search: false,
    reads: false,
    readRate: 5000,
    visibility: false,
    visibleRate: 1000,
  },
  limit,
  gateway,
  ratios: ratiosOf(gateway, limit),
};

describe('bench report', () => {
  it('divides the gateway by the limit: throughput, p50, p99', () => {
    expect(limit.throughputPerS).toBe(2000);
    expect(gateway.throughputPerS).toBe(500);
    expect(report.ratios).toEqual({ throughput: 0.25, p50: 4, p99: 5 });
  });

  it('counts every failure of a run by its cause', () => {
    expect(gateway.errors).toBe(3);
    expect(limit.errors).toBe(0);
  });

  it('prints one row per run, the ratios, and spells out the errors', () => {
    const text = formatReport(report);
    expect(text).toMatch(/^kafka produce, 1 record\/send\s+2000\s+2\.00\s+4\.00\s+4\.00\s+4\s+0$/m);
    expect(text).toMatch(/^gateway ReceiveStock -> 200\s+500\s+8\.00\s+20\.00\s+20\.00\s+7\s+3$/m);
    expect(text).toMatch(/^gateway \/ limit \(1 record\/send\)\s+0\.250x\s+4\.00x\s+5\.00x/m);
    expect(text).toContain('errors in gateway ReceiveStock -> 200: status 202 × 2, timeout × 1');
    expect(text).not.toContain('errors in kafka');
  });

  it('shows a run without successes as dashes, not as zero latency', () => {
    const empty = run('empty', 0, []);
    expect(formatReport({ ...report, gateway: empty, ratios: ratiosOf(empty, limit) })).toMatch(
      /^empty\s+0\s+-\s+-\s+-\s+0\s+0$/m,
    );
  });

  it('says which processes ran, and how many of the gateway and of the processor', () => {
    expect(formatReport(report).split('\n')[1]).toBe('one process each: command-processor ×1, gateway ×1');
    const scaled = { ...report.parameters, services: [...SERVICE_NAMES].reverse(), instances: 2 };
    const others = SERVICE_NAMES.filter(
      (name) => !['command-processor', 'projector', 'gateway', 'query-api'].includes(name),
    );
    expect(formatReport({ ...report, parameters: scaled }).split('\n')[1]).toBe(
      ['one process each: command-processor ×2, projector, gateway ×2, query-api', ...others].join(', '),
    );
  });

  it('names the JSON file after the start time, without colons', () => {
    expect(reportFileName(new Date('2025-01-02T03:04:05.678Z'))).toBe('bench-2025-01-02T03-04-05-678Z.json');
  });
});

const emmettRun = (
  connections: number,
  commandsPerSec: number,
  p50Ms: number | null,
  p99Ms: number | null,
): EmmettRun => ({
  versions: { emmett: '0.42.0', emmettPostgresql: '0.42.0', pg: '8.23.1' },
  postgres: '15.20',
  mode: 'append',
  connections,
  poolSize: 10,
  skus: 1000,
  warmupS: 2,
  durationS: 10,
  commands: commandsPerSec * 10,
  commandsPerSec,
  p50Ms,
  p90Ms: p99Ms,
  p99Ms,
  maxMs: p99Ms === null ? null : p99Ms * 2,
  errors: 0,
  conflictRetries: 0,
  verify: 'PASS',
  nodeCpuS: 5,
  pgBackendsCpuS: 2.5,
  pgClusterCpuS: 3,
  machineBusyCpuS: 15,
  load1AtStart: 1,
});

describe('bench report beside Emmett', () => {
  const at32 = emmettRun(32, 1000, 16, 40);
  const at16 = emmettRun(16, 1250, 10, 25);
  const comparison: EmmettComparison = {
    database: 'emmett_benchabc',
    sameInFlight: at32,
    search: {
      rule: EMMETT_SEARCH,
      steps: [emmettRun(8, 800, 8, 20), at16, at32],
      best: at16,
      stoppedBecause: 'throughput grew less than 5 % from 16 to 32 in flight',
    },
  };
  const withEmmett: BenchReport = { ...report, emmett: emmettReportOf(gateway, comparison) };

  it('divides the gateway by Emmett at the same in-flight count and at its best', () => {
    expect(withEmmett.emmett?.ratios).toEqual({
      sameInFlight: { throughput: 0.5, p50: 0.5, p99: 0.5 },
      best: { throughput: 0.4, p50: 0.8, p99: 0.8 },
    });
  });

  it("prints Emmett's runs and the gateway over each, beside the limit's ratio", () => {
    const text = formatReport(withEmmett);
    expect(text).toMatch(/^emmett ReceiveStock, 32 in flight\s+1000\s+16\.00\s+40\.00\s+80\.00\s+10000\s+0$/m);
    expect(text).toMatch(/^emmett ReceiveStock, 16 in flight \(best\)\s+1250\s+10\.00\s+25\.00\s+50\.00/m);
    expect(text).toMatch(/^gateway \/ limit \(1 record\/send\)\s+0\.250x\s+4\.00x\s+5\.00x/m);
    expect(text).toMatch(/^gateway \/ emmett, 32 in flight\s+0\.500x\s+0\.50x\s+0\.50x/m);
    expect(text).toMatch(/^gateway \/ emmett best, 16 in flight\s+0\.400x\s+0\.80x\s+0\.80x/m);
  });

  it('shows the search step by step, why it stopped, and what a command costs Emmett', () => {
    const text = formatReport(withEmmett);
    expect(text).toContain(
      'emmett search (in flight → commands/s): 8 → 800/s p99 20 ms, 16 → 1250/s p99 25 ms, 32 → 1000/s p99 40 ms; ' +
        'stopped: throughput grew less than 5 % from 16 to 32 in flight; best 16 in flight',
    );
    expect(text).toContain(
      'emmett 0.42.0 on PostgreSQL 15.20, pg pool of 10, database emmett_benchabc (dropped afterwards)',
    );
    expect(text).toContain('emmett CPU per command at 32 in flight: node 500 µs, PostgreSQL backends 250 µs');
  });

  it('gives the best run no second row when it is the run at the same in-flight count', () => {
    const same = emmettReportOf(gateway, { ...comparison, search: { ...comparison.search, best: at32 } });
    const text = formatReport({ ...report, emmett: same });
    expect(text).toMatch(/^emmett ReceiveStock, 32 in flight \(best\)\s+1000/m);
    expect(text.match(/^emmett ReceiveStock/gm)).toHaveLength(1);
  });

  it('prints a dash for a ratio to a run without latencies', () => {
    const empty = emmettRun(32, 0, null, null);
    const text = formatReport({
      ...report,
      emmett: emmettReportOf(gateway, { ...comparison, sameInFlight: empty }),
    });
    expect(text).toMatch(/^emmett ReceiveStock, 32 in flight\s+0\s+-\s+-\s+-\s+0\s+0$/m);
    expect(text).toMatch(/^gateway \/ emmett, 32 in flight\s+-x\s+-x\s+-x/m);
  });

  it('has no Emmett lines when it was left out', () => {
    expect(formatReport(report)).not.toContain('emmett');
  });
});

describe('bench report with the gateway search', () => {
  const step = (connections: number, operations: number, latenciesMs: number[], errors = {}): GatewayStep => ({
    ...run(`gateway ReceiveStock, ${connections} in flight`, operations, latenciesMs, errors),
    connections,
  });
  const at32: GatewayStep = { ...gateway, connections: 32 };
  const at64 = step(64, 8_000, [10, 10, 10, 30]);
  const at128 = step(128, 8_200, [20, 20, 20, 600], { timeout: 4 });
  const search: GatewaySearch = {
    rule: GATEWAY_SEARCH,
    steps: [at32, at64, at128],
    best: at64,
    stoppedBecause: 'p99 over 500 ms at 128 in flight',
  };
  const searched: BenchReport = {
    ...report,
    parameters: { ...report.parameters, search: true },
    gatewaySearch: search,
  };

  it('prints every step with its p99 and errors, why the search stopped and the best in-flight count', () => {
    expect(formatReport(searched)).toContain(
      'gateway search (in flight → commands/s): 32 → 500/s p99 20 ms (3 errors), 64 → 800/s p99 30 ms, ' +
        '128 → 820/s p99 600 ms (4 errors); stopped: p99 over 500 ms at 128 in flight; best 64 in flight',
    );
  });

  it('gives the best its own row when it is not the run at the bench in-flight count', () => {
    const text = formatReport(searched);
    expect(text).toMatch(/^gateway ReceiveStock -> 200\s+500\s+8\.00/m);
    expect(text).toMatch(/^gateway ReceiveStock, 64 in flight \(best\)\s+800\s+10\.00\s+30\.00\s+30\.00\s+4\s+0$/m);
    expect(text).not.toMatch(/^gateway ReceiveStock, 128/m);
  });

  it('marks the run at the bench in-flight count as the best when it is', () => {
    const text = formatReport({ ...searched, gatewaySearch: { ...search, best: at32 } });
    expect(text).toMatch(/^gateway ReceiveStock -> 200 \(best\)\s+500/m);
    expect(text.match(/^gateway ReceiveStock/gm)).toHaveLength(1);
  });

  it("divides the gateway's best by Emmett's best, each at its own in-flight count", () => {
    const at16 = emmettRun(16, 400, 5, 15);
    const comparison: EmmettComparison = {
      database: 'emmett_benchabc',
      sameInFlight: emmettRun(32, 350, 16, 40),
      search: { rule: EMMETT_SEARCH, steps: [at16], best: at16, stoppedBecause: 'reached the bound' },
    };
    const emmett = emmettReportOf(gateway, comparison, search.best);
    expect(emmett.ratios.bothBest).toEqual({ throughput: 2, p50: 2, p99: 2 });
    expect(emmett.ratios.best).toEqual({ throughput: 1.25, p50: 1.6, p99: 20 / 15 });
    expect(formatReport({ ...searched, emmett })).toMatch(
      /^gateway best \/ emmett best, 64 \/ 16 in flight\s+2\.000x\s+2\.00x\s+2\.00x/m,
    );
    expect(emmettReportOf(gateway, comparison).ratios.bothBest).toBeUndefined();
  });

  it('keeps the search in the JSON report, its best among the steps', () => {
    const json = JSON.parse(JSON.stringify(searched)) as BenchReport;
    expect(json.gatewaySearch?.rule).toEqual(GATEWAY_SEARCH);
    expect(json.gatewaySearch?.steps.map((s) => [s.connections, s.throughputPerS])).toEqual([
      [32, 500],
      [64, 800],
      [128, 820],
    ]);
    expect(json.gatewaySearch?.best).toMatchObject({ connections: 64, throughputPerS: 800, errors: 0 });
    expect(json.gatewaySearch?.stoppedBecause).toBe('p99 over 500 ms at 128 in flight');
  });

  it('has no search lines with --no-search', () => {
    expect(formatReport(report)).not.toMatch(/search|\(best\)/);
  });
});

describe('bench report with the cache-hit reads', () => {
  const measured: ReadMeasurements = {
    tenant: 'bench-reads',
    seededInS: 4.2,
    routes: [
      {
        route: 'GET /v1/inventory/{sku}',
        label: 'inventory/{sku}',
        keys: 1000,
        closedLoop: {
          connections: 32,
          queryApi: {
            ...run('query-api inventory/{sku}, 32 in flight', 90_000, [1, 2, 2, 4]),
            serverCpuUsPerRequest: 150,
          },
          reference: {
            ...run('reference inventory/{sku}, 32 in flight', 100_000, [1, 1, 2, 2]),
            serverCpuUsPerRequest: 100,
          },
        },
        fixedRate: {
          ratePerS: 5000,
          queryApi: {
            ...run('query-api inventory/{sku}, 5000/s', 50_000, [0.5, 0.5, 1, 3]),
            serverCpuUsPerRequest: 140,
          },
          reference: {
            ...run('reference inventory/{sku}, 5000/s', 50_000, [0.25, 0.5, 0.5, 1.5]),
            serverCpuUsPerRequest: 112,
          },
        },
      },
      {
        route: 'GET /api/aliases/resolve/{context}/{alias}',
        label: 'aliases/resolve',
        keys: 8,
        closedLoop: {
          connections: 32,
          queryApi: run('query-api aliases/resolve, 32 in flight', 60_000, [2, 3, 3, 5]),
          reference: run('reference aliases/resolve, 32 in flight', 100_000, [1, 1, 2, 2]),
        },
        fixedRate: {
          ratePerS: 5000,
          queryApi: run('query-api aliases/resolve, 5000/s', 49_000, [1, 1, 2, 8], { timeout: 2 }),
          reference: run('reference aliases/resolve, 5000/s', 50_000, [0.5, 0.5, 1, 2]),
        },
      },
    ],
  };
  const reads = readsReportOf(measured);
  const withReads: BenchReport = { ...report, parameters: { ...report.parameters, reads: true }, reads };

  it("divides the query API's figures by the reference's, in the closed loop and at the fixed rate", () => {
    const [inventory, aliases] = reads.routes;
    expect(inventory?.closedLoop.ratios).toEqual({ throughput: 0.9, p50: 2, p99: 2, serverCpuPerRequest: 1.5 });
    expect(inventory?.fixedRate.ratios).toEqual({ throughput: 1, p50: 1, p99: 2, serverCpuPerRequest: 1.25 });
    expect(aliases?.closedLoop.ratios).toEqual({ throughput: 0.6, p50: 3, p99: 2.5 });
  });

  it('says whether each route meets the goal: 0.8 of the throughput, p99 at most 5 ms at the rate, no errors', () => {
    expect(reads.goal).toEqual(READS_GOAL);
    expect(reads.routes.map((r) => r.goalMet)).toEqual([
      { throughput: true, p99AtRate: true },
      { throughput: false, p99AtRate: false },
    ]);
  });

  it("prints each of the query API's runs beside the reference's, with the ratio and the goal", () => {
    const text = formatReport(withReads);
    expect(text).toContain('cache-hit reads of tenant bench-reads: GET /v1/inventory/{sku} over 1000 keys');
    expect(text).toMatch(/^reference: a minimal express \+ ioredis server/m);
    expect(text).toMatch(/^query-api inventory\/\{sku\}, 32 in flight\s+9000\s+2\.00\s+4\.00\s+4\.00\s+4\s+0$/m);
    expect(text).toMatch(/^reference inventory\/\{sku\}, 32 in flight\s+10000\s+1\.00\s+2\.00/m);
    expect(text).toMatch(/^query-api \/ reference, inventory\/\{sku\}, 32 in flight\s+0\.900x\s+2\.00x\s+2\.00x/m);
    expect(text).toMatch(/^query-api \/ reference, inventory\/\{sku\}, 5000\/s\s+1\.000x\s+1\.00x\s+2\.00x/m);
    expect(text).toMatch(/^query-api \/ reference, aliases\/resolve, 32 in flight\s+0\.600x/m);
    expect(text).toContain(
      "reads goal (issue 9: at least 0.80x the reference's throughput, p99 at most 5 ms at 5000/s): " +
        'inventory/{sku} 0.90x, p99 3.00 ms at 5000/s (met); aliases/resolve 0.60x, p99 8.00 ms at 5000/s (not met)',
    );
    expect(text).toContain('errors in query-api aliases/resolve, 5000/s: timeout × 2');
  });

  it("prints the server CPU a request where /proc gave it, the query API's over the reference's", () => {
    const text = formatReport(withReads);
    expect(text).toContain(
      'server CPU a request, inventory/{sku} (query-api / reference): 150 / 100 µs (1.50x) at 32 in flight, 140 / 112 µs (1.25x) at 5000/s',
    );
    expect(text).not.toContain('server CPU a request, aliases/resolve');
  });

  it('keeps every run and ratio in the JSON report', () => {
    const json = JSON.parse(JSON.stringify(withReads)) as BenchReport;
    expect(json.reads?.routes[0]?.closedLoop).toMatchObject({
      connections: 32,
      queryApi: { throughputPerS: 9000 },
      reference: { throughputPerS: 10_000 },
      ratios: { throughput: 0.9 },
    });
    expect(json.reads?.routes[1]?.fixedRate).toMatchObject({ ratePerS: 5000, queryApi: { errors: 2 } });
    expect(json.reads).toMatchObject({ tenant: 'bench-reads', seededInS: 4.2 });
  });

  it('says why the reads were skipped, and has no read lines without them', () => {
    const skipped = formatReport({ ...report, readsSkipped: 'the reads need projector and query-api in --services' });
    expect(skipped).toContain('reads skipped: the reads need projector and query-api in --services');
    expect(formatReport(report)).not.toMatch(/reads|query-api|reference/);
  });
});

describe('bench report of command to read model visible', () => {
  const visibility = (ratePerS: number, latenciesMs: number[], errorsByCause: Record<string, number> = {}) =>
    visibilityReportOf({
      ...run(`command -> read model visible, ${ratePerS}/s`, latenciesMs.length, latenciesMs, errorsByCause),
      ratePerS,
      replyMs: summarizeLatencies(latenciesMs.map((l) => l / 2)),
      afterReplyMs: summarizeLatencies(latenciesMs.map((l) => l / 2)),
    });

  it('holds p50 and p99 to the goal, at its rate, with no error', () => {
    expect(visibility(1000, [10, 20, 25, 100]).goalMet).toBe(true);
    expect(visibility(1000, [10, 20, 40, 100]).ratios.p50).toBeCloseTo(20 / 30);
    expect(visibility(1000, [31, 31, 31, 31]).goalMet).toBe(false);
    expect(visibility(1000, [10, 10, 10, 151]).goalMet).toBe(false);
    expect(visibility(500, [10, 10, 10, 10]).goalMet).toBe(false);
    expect(visibility(1000, [10, 10, 10, 10], { 'read stale': 1 }).goalMet).toBe(false);
  });

  it('prints the figures, their split at the reply and the verdict, and spells out its errors', () => {
    const text = formatReport({ ...report, visibility: visibility(1000, [40, 60, 60, 200], { 'read stale': 2 }) });
    expect(text).toContain('command -> read model visible at 1000 commands/s: p50 60.0 ms (2.00x the goal');
    expect(text).toContain('reply to visible p50 30.0');
    expect(text).toContain('not met');
    expect(text).toContain('errors in command -> read model visible, 1000/s: read stale × 2');
  });

  it('prints the CPU a command of the run at its fixed rate', () => {
    const measured = { ...visibility(300, [40, 60]), cpuUsPerCommand: { projector: 512.4, postgres: 301 } };
    expect(formatReport({ ...report, visibility: measured })).toContain(
      'CPU a command, command -> read model visible, 300/s: projector 512 µs, postgres 301 µs',
    );
  });
});
