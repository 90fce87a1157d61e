import { toLoadResult, type LoadResult } from './load-result';
import { formatReport, ratiosOf, reportFileName, type BenchReport } from './report';

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
    out: '.verity/bench',
    partitions: 3,
    recordBytes: 300,
    topicPrefix: 'benchabc',
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

  it('names the JSON file after the start time, without colons', () => {
    expect(reportFileName(new Date('2025-01-02T03:04:05.678Z'))).toBe('bench-2025-01-02T03-04-05-678Z.json');
  });
});
