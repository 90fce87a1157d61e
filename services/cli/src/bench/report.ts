import type { LoadResult } from './load-result';
import type { BenchOptions } from './options';

/** The gateway's figures over the limit's: throughput below 1 and latencies above 1 are the platform's cost. */
export interface Ratios {
  throughput: number;
  p50: number;
  p99: number;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews the figures. */
  loadAverage: number[];
}

export interface BenchParameters extends BenchOptions {
  /** Partitions of the raw topic and of the commands topics. */
  partitions: number;
  /** Bytes of the JSON value of one raw record, the size of a ReceiveStock command envelope. */
  recordBytes: number;
  topicPrefix: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  parameters: BenchParameters;
  /** Raw kafkajs produce, one record per send, acks=all: the limit the gateway is held to. */
  limit: LoadResult;
  /** The same with `batchSize` records per send; absent when batchSize is 1. */
  limitBatched?: LoadResult;
  /** POST /v1/commands/inventory.ReceiveStock answered 200. */
  gateway: LoadResult;
  ratios: Ratios;
}

export function ratiosOf(gateway: LoadResult, limit: LoadResult): Ratios {
  return {
    throughput: gateway.throughputPerS / limit.throughputPerS,
    p50: gateway.latencyMs.p50 / limit.latencyMs.p50,
    p99: gateway.latencyMs.p99 / limit.latencyMs.p99,
  };
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** The table printed at the end of a run, errors spelled out under it. */
export function formatReport(report: BenchReport): string {
  const columns = ['run', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors'];
  const widths = [34, 10, 9, 9, 9, 10, 8];
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('');
  const runs = [report.limit, ...(report.limitBatched ? [report.limitBatched] : []), report.gateway];
  const rows = runs.map((r) =>
    line([
      r.name,
      fixed(r.throughputPerS, 0),
      fixed(r.latencyMs.p50, 2),
      fixed(r.latencyMs.p99, 2),
      fixed(r.latencyMs.max, 2),
      String(r.requests),
      String(r.errors),
    ]),
  );
  const { ratios } = report;
  const ratioRow = line([
    'gateway / limit (1 record/send)',
    `${fixed(ratios.throughput, 3)}x`,
    `${fixed(ratios.p50, 2)}x`,
    `${fixed(ratios.p99, 2)}x`,
    '',
    '',
    '',
  ]);
  const errorLines = runs
    .filter((r) => r.errors > 0)
    .map(
      (r) =>
        `errors in ${r.name}: ${Object.entries(r.errorsByCause)
          .map(([cause, n]) => `${cause} × ${n}`)
          .join(', ')}`,
    );
  const p = report.parameters;
  const header =
    `${p.connections} in flight, ${p.durationS} s measured after ${p.warmupS} s warm-up, ${p.skus} SKUs, ${p.partitions} partitions, ` +
    `${p.recordBytes}-byte records; ${report.machine.cpus} cpus, load ${report.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}, node ${report.machine.node}`;
  return [header, '', line(columns), ...rows, ratioRow, ...(errorLines.length > 0 ? ['', ...errorLines] : [])].join(
    '\n',
  );
}

/** A file name that sorts by time and is valid on every file system. */
export function reportFileName(startedAt: Date): string {
  return `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
}
