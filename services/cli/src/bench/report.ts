import type { EmmettComparison } from './emmett';
import type { EmmettRun } from './emmett-run';
import type { GatewaySearch, GatewayStep } from './gateway-search';
import type { LoadResult } from './load-result';
import type { ReadMeasurements, RouteReads, SideBySide } from './reads';
import type { VisibilityRun } from './visibility';
import { SERVICE_NAMES } from '../service-names';
import { SCALED_SERVICES, type BenchOptions } from './options';

/**
 * The gateway's figures over a reference's (the limit's, Emmett's): throughput below 1 and
 * latencies above 1 are what the gateway costs or lacks against it.
 */
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
  /** The search for the gateway's best in-flight count; absent with `--no-search`. */
  gatewaySearch?: GatewaySearch;
  /** Emmett on PostgreSQL, the same ReceiveStock; absent with `--no-emmett`. */
  emmett?: EmmettReport;
  /** Cache-hit reads beside their reference; absent with `--no-reads` or when skipped. */
  reads?: ReadsReport;
  /** Why the reads did not run although asked for (the services lacked what they need). */
  readsSkipped?: string;
  /** Command to read model visible at a fixed rate; absent with `--no-visibility` or when the reads' services are missing. */
  visibility?: VisibilityReport;
}

/** Issue 9's goal for a command to be visible in the read model, at a steady 1,000 commands/s. */
export const VISIBILITY_GOAL = { p50Ms: 30, p99Ms: 150, ratePerS: 1000 } as const;

export interface VisibilityReport extends VisibilityRun {
  goal: typeof VISIBILITY_GOAL;
  /** Its p50 and p99 over the goal's (below 1 is within it), and whether it held the rate and the goal. */
  ratios: { p50: number; p99: number };
  goalMet: boolean;
}

export function visibilityReportOf(run: VisibilityRun): VisibilityReport {
  const ratios = { p50: run.latencyMs.p50 / VISIBILITY_GOAL.p50Ms, p99: run.latencyMs.p99 / VISIBILITY_GOAL.p99Ms };
  return {
    ...run,
    goal: VISIBILITY_GOAL,
    ratios,
    goalMet: run.errors === 0 && run.ratePerS >= VISIBILITY_GOAL.ratePerS && ratios.p50 <= 1 && ratios.p99 <= 1,
  };
}

function formatVisibility(v: VisibilityReport): string[] {
  return [
    `command -> read model visible at ${v.ratePerS} commands/s: p50 ${fixed(v.latencyMs.p50, 1)} ms ` +
      `(${fixed(v.ratios.p50, 2)}x the goal's ${v.goal.p50Ms}), p99 ${fixed(v.latencyMs.p99, 1)} ms ` +
      `(${fixed(v.ratios.p99, 2)}x the goal's ${v.goal.p99Ms}); of which reply p50 ${fixed(v.replyMs.p50, 1)} / ` +
      `p99 ${fixed(v.replyMs.p99, 1)} ms, reply to visible p50 ${fixed(v.afterReplyMs.p50, 1)} / p99 ` +
      `${fixed(v.afterReplyMs.p99, 1)} ms; ${v.operations} of ${v.requests} visible ` +
      `(goal, issue 9: p50 ≤ ${v.goal.p50Ms} ms, p99 ≤ ${v.goal.p99Ms} ms at ${v.goal.ratePerS}/s: ${v.goalMet ? 'met' : 'not met'})`,
  ];
}

/** Issue 9's goal for cache-hit reads. */
export const READS_GOAL = {
  /** The query API's closed-loop throughput over the reference's, at least. */
  throughputRatio: 0.8,
  /** The query API's p99 at the fixed rate, at most (issue 9 states it at 5,000 requests/s). */
  p99Ms: 5,
} as const;

/** The query API's figures over the reference's. */
export interface ReadRatios extends Ratios {
  /** Server CPU time per request; absent without /proc (not Linux). */
  serverCpuPerRequest?: number;
}

/** A side-by-side pair of runs with the query API's figures over the reference's. */
export type ReadComparison = SideBySide & { ratios: ReadRatios };

export interface RouteReadsReport extends Omit<RouteReads, 'closedLoop' | 'fixedRate'> {
  closedLoop: ReadComparison & { connections: number };
  fixedRate: ReadComparison & { ratePerS: number };
  /** Whether the route meets READS_GOAL: the throughput ratio in the closed loop, the p99 at the fixed rate. */
  goalMet: { throughput: boolean; p99AtRate: boolean };
}

export interface ReadsReport extends Omit<ReadMeasurements, 'routes'> {
  /** What the reference is, in words, for whoever reads the JSON alone. */
  reference: string;
  goal: typeof READS_GOAL;
  routes: RouteReadsReport[];
}

export interface EmmettReport extends EmmettComparison {
  ratios: {
    /** gateway / Emmett at the gateway's in-flight count. */
    sameInFlight: Ratios;
    /** gateway / Emmett at Emmett's best in-flight count. */
    best: Ratios;
    /**
     * The gateway at its best over Emmett at its best, each at its own in-flight count: the
     * throughput ratio is issue 9's goal (at least 2). Absent with `--no-search`.
     */
    bothBest?: Ratios;
  };
}

/** The figures a ratio is taken of; a missing latency is NaN, so its ratio prints as a dash. */
interface Figures {
  throughputPerS: number;
  p50: number;
  p99: number;
}

const loadFigures = (run: LoadResult): Figures => ({
  throughputPerS: run.throughputPerS,
  p50: run.latencyMs.p50,
  p99: run.latencyMs.p99,
});

const emmettFigures = (run: EmmettRun): Figures => ({
  throughputPerS: run.commandsPerSec,
  p50: run.p50Ms ?? Number.NaN,
  p99: run.p99Ms ?? Number.NaN,
});

const divide = (a: Figures, b: Figures): Ratios => ({
  throughput: a.throughputPerS / b.throughputPerS,
  p50: a.p50 / b.p50,
  p99: a.p99 / b.p99,
});

export function ratiosOf(gateway: LoadResult, limit: LoadResult): Ratios {
  return divide(loadFigures(gateway), loadFigures(limit));
}

/** Emmett's runs with the gateway's figures over each of the two that count, and its best's over Emmett's best. */
export function emmettReportOf(
  gateway: LoadResult,
  comparison: EmmettComparison,
  gatewayBest?: LoadResult,
): EmmettReport {
  const emmettBest = emmettFigures(comparison.search.best);
  return {
    ...comparison,
    ratios: {
      sameInFlight: divide(loadFigures(gateway), emmettFigures(comparison.sameInFlight)),
      best: divide(loadFigures(gateway), emmettBest),
      ...(gatewayBest ? { bothBest: divide(loadFigures(gatewayBest), emmettBest) } : {}),
    },
  };
}

const READ_REFERENCE =
  'a minimal express + ioredis server in its own process: one Redis GET per request of the bytes the query API answered, sent as they are';

function compared<T extends SideBySide>(pair: T): T & { ratios: ReadRatios } {
  const ratios: ReadRatios = divide(loadFigures(pair.queryApi), loadFigures(pair.reference));
  const [queryApiCpu, referenceCpu] = [pair.queryApi.serverCpuUsPerRequest, pair.reference.serverCpuUsPerRequest];
  if (queryApiCpu !== undefined && referenceCpu !== undefined) ratios.serverCpuPerRequest = queryApiCpu / referenceCpu;
  return { ...pair, ratios };
}

/** The read runs with the query API's figures over the reference's and whether each route meets the goal. */
export function readsReportOf(measured: ReadMeasurements): ReadsReport {
  return {
    ...measured,
    reference: READ_REFERENCE,
    goal: READS_GOAL,
    routes: measured.routes.map((route) => {
      const closedLoop = compared(route.closedLoop);
      const fixedRate = compared(route.fixedRate);
      return {
        ...route,
        closedLoop,
        fixedRate,
        goalMet: {
          throughput: closedLoop.ratios.throughput >= READS_GOAL.throughputRatio,
          p99AtRate: fixedRate.queryApi.errors === 0 && fixedRate.queryApi.latencyMs.p99 <= READS_GOAL.p99Ms,
        },
      };
    }),
  };
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

const fixedOrDash = (n: number | null, digits: number): string => fixed(n ?? Number.NaN, digits);

const emmettName = (run: EmmettRun): string => `emmett ReceiveStock, ${run.connections} in flight`;

const errorsOf = (errors: number): string => (errors > 0 ? ` (${errors} errors)` : '');

/** Each step of the gateway's search, why it stopped and where it was best. */
function formatGatewaySearch({ steps, best, stoppedBecause }: GatewaySearch): string {
  const stepText = steps
    .map(
      (s) =>
        `${s.connections} → ${fixed(s.throughputPerS, 0)}/s p99 ${fixed(s.latencyMs.p99, 0)} ms${errorsOf(s.errors)}`,
    )
    .join(', ');
  return `gateway search (in flight → commands/s): ${stepText}; stopped: ${stoppedBecause}; best ${best.connections} in flight`;
}

/** What ran as Emmett, each step of its search and why it stopped, and its CPU per command. */
function formatSearch(emmett: EmmettReport): string {
  const { steps, best, stoppedBecause } = emmett.search;
  const stepText = steps
    .map((s) => `${s.connections} → ${fixed(s.commandsPerSec, 0)}/s p99 ${fixedOrDash(s.p99Ms, 0)} ms`)
    .join(', ');
  const perCommand = (cpuS: number | null, run: EmmettRun): string =>
    cpuS === null || run.commands === 0 ? '-' : ((cpuS * 1e6) / run.commands).toFixed(0);
  const same = emmett.sameInFlight;
  return [
    `emmett ${same.versions.emmett} on PostgreSQL ${same.postgres}, pg pool of ${same.poolSize}, database ${emmett.database} (dropped afterwards)`,
    `emmett search (in flight → commands/s): ${stepText}; stopped: ${stoppedBecause}; best ${best.connections} in flight`,
    `emmett CPU per command at ${same.connections} in flight: node ${perCommand(same.nodeCpuS, same)} µs, ` +
      `PostgreSQL backends ${perCommand(same.pgBackendsCpuS, same)} µs`,
  ].join('\n');
}

/** Each write run's CPU per command, by process; nothing without /proc. */
function formatWriteCpu(runs: readonly { name: string; r: LoadResult }[]): string[] {
  return runs.flatMap(({ name, r }) =>
    r.cpuUsPerCommand
      ? [
          `CPU a command, ${name}: ${Object.entries(r.cpuUsPerCommand)
            .map(([process, us]) => `${process} ${fixed(us, 0)} µs`)
            .join(', ')}`,
        ]
      : [],
  );
}

/** What the read rows are: the tenant, the keys, the reference. */
function formatReadsHeading(reads: ReadsReport): string[] {
  const keys = reads.routes.map((r) => `${r.route} over ${r.keys} keys`).join(', ');
  return [`cache-hit reads of tenant ${reads.tenant}: ${keys}`, `reference: ${reads.reference}`];
}

/**
 * Each route's server CPU per request, query API and reference; nothing without /proc. Other
 * work on the machine moves throughput and latency but hardly this.
 */
function formatReadsCpu(reads: ReadsReport): string[] {
  const pair = (p: ReadComparison, how: string): string | undefined => {
    const [q, r] = [p.queryApi.serverCpuUsPerRequest, p.reference.serverCpuUsPerRequest];
    if (q === undefined || r === undefined) return undefined;
    return `${fixed(q, 0)} / ${fixed(r, 0)} µs (${fixed(q / r, 2)}x) at ${how}`;
  };
  return reads.routes.flatMap((route) => {
    const parts = [
      pair(route.closedLoop, `${route.closedLoop.connections} in flight`),
      pair(route.fixedRate, `${route.fixedRate.ratePerS}/s`),
    ].filter((part) => part !== undefined);
    return parts.length === 0
      ? []
      : [`server CPU a request, ${route.label} (query-api / reference): ${parts.join(', ')}`];
  });
}

/** Issue 9's goal beside each route's figures. */
function formatReadsGoal(reads: ReadsReport): string {
  const { goal } = reads;
  const routes = reads.routes
    .map((r) => {
      const verdict = r.goalMet.throughput && r.goalMet.p99AtRate ? 'met' : 'not met';
      return (
        `${r.label} ${fixed(r.closedLoop.ratios.throughput, 2)}x, ` +
        `p99 ${fixed(r.fixedRate.queryApi.latencyMs.p99, 2)} ms at ${r.fixedRate.ratePerS}/s (${verdict})`
      );
    })
    .join('; ');
  return `reads goal (issue 9: at least ${goal.throughputRatio.toFixed(2)}x the reference's throughput, p99 at most ${goal.p99Ms} ms at 5000/s): ${routes}`;
}

/** The table printed at the end of a run, errors spelled out under it. */
export function formatReport(report: BenchReport): string {
  const columns = ['run', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors'];
  const widths = [56, 10, 9, 9, 9, 10, 8];
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('');
  const search = report.gatewaySearch;
  // As for Emmett: the gateway's best gets a row of its own unless it is the run at `connections`.
  const gatewayBest: GatewayStep | undefined =
    search && search.best.connections !== report.parameters.connections ? search.best : undefined;
  const bestName = (r: LoadResult): string => {
    if (r === gatewayBest) return `gateway ReceiveStock, ${gatewayBest.connections} in flight (best)`;
    return r === report.gateway && search && !gatewayBest ? `${r.name} (best)` : r.name;
  };
  const runs = [
    report.limit,
    ...(report.limitBatched ? [report.limitBatched] : []),
    report.gateway,
    ...(gatewayBest ? [gatewayBest] : []),
  ];
  const loadRow = (name: string, r: LoadResult): string =>
    line([
      name,
      fixed(r.throughputPerS, 0),
      fixed(r.latencyMs.p50, 2),
      fixed(r.latencyMs.p99, 2),
      fixed(r.latencyMs.max, 2),
      String(r.requests),
      String(r.errors),
    ]);
  const rows = runs.map((r) => loadRow(bestName(r), r));
  const { emmett } = report;
  // The best run gets its own row unless it is the run at the gateway's in-flight count.
  const best = emmett?.search.best;
  const emmettRuns = emmett
    ? [emmett.sameInFlight, ...(best && best.connections !== emmett.sameInFlight.connections ? [best] : [])]
    : [];
  const emmettRows = emmettRuns.map((r) =>
    line([
      `${emmettName(r)}${r.connections === best?.connections ? ' (best)' : ''}`,
      fixed(r.commandsPerSec, 0),
      fixedOrDash(r.p50Ms, 2),
      fixedOrDash(r.p99Ms, 2),
      fixedOrDash(r.maxMs, 2),
      String(r.commands + r.errors),
      String(r.errors),
    ]),
  );
  const ratioRow = (name: string, ratios: Ratios): string =>
    line([name, `${fixed(ratios.throughput, 3)}x`, `${fixed(ratios.p50, 2)}x`, `${fixed(ratios.p99, 2)}x`, '', '', '']);
  const ratioRows = [
    ratioRow('gateway / limit (1 record/send)', report.ratios),
    ...(emmett
      ? [
          ratioRow(`gateway / emmett, ${emmett.sameInFlight.connections} in flight`, emmett.ratios.sameInFlight),
          ratioRow(`gateway / emmett best, ${emmett.search.best.connections} in flight`, emmett.ratios.best),
          ...(search && emmett.ratios.bothBest
            ? [
                ratioRow(
                  `gateway best / emmett best, ${search.best.connections} / ${emmett.search.best.connections} in flight`,
                  emmett.ratios.bothBest,
                ),
              ]
            : []),
        ]
      : []),
  ];
  const { reads } = report;
  // Each run of the query API, the reference's beside it, then the one over the other.
  const readRows = (reads?.routes ?? []).flatMap((route) =>
    [
      { how: `${route.closedLoop.connections} in flight`, pair: route.closedLoop },
      { how: `${route.fixedRate.ratePerS}/s`, pair: route.fixedRate },
    ].flatMap(({ how, pair }) => [
      loadRow(pair.queryApi.name, pair.queryApi),
      loadRow(pair.reference.name, pair.reference),
      ratioRow(`query-api / reference, ${route.label}, ${how}`, pair.ratios),
    ]),
  );
  const readRuns = (reads?.routes ?? []).flatMap((route) => [
    route.closedLoop.queryApi,
    route.closedLoop.reference,
    route.fixedRate.queryApi,
    route.fixedRate.reference,
  ]);
  const errorLines = [
    ...runs.map((r) => ({ name: bestName(r), r })),
    ...readRuns.map((r) => ({ name: r.name, r })),
    ...(report.visibility ? [{ name: report.visibility.name, r: report.visibility }] : []),
  ]
    .filter(({ r }) => r.errors > 0)
    .map(
      ({ name, r }) =>
        `errors in ${name}: ${Object.entries(r.errorsByCause)
          .map(([cause, n]) => `${cause} × ${n}`)
          .join(', ')}`,
    );
  const p = report.parameters;
  const header =
    `${p.connections} in flight, ${p.durationS} s measured after ${p.warmupS} s warm-up, ${p.skus} SKUs, ${p.partitions} partitions, ` +
    `${p.recordBytes}-byte records; ${report.machine.cpus} cpus, load ${report.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}, node ${report.machine.node}`;
  const processes = `one process each: ${SERVICE_NAMES.filter((s) => p.services.includes(s))
    .map((s) => (SCALED_SERVICES.includes(s) ? `${s} ×${p.instances}` : s))
    .join(', ')}`;
  return [
    header,
    processes,
    '',
    line(columns),
    ...rows,
    ...emmettRows,
    ...ratioRows,
    ...(reads ? ['', ...formatReadsHeading(reads), ...readRows, ...formatReadsCpu(reads), formatReadsGoal(reads)] : []),
    ...(report.readsSkipped ? ['', `reads skipped: ${report.readsSkipped}`] : []),
    ...(report.visibility
      ? [
          '',
          ...formatVisibility(report.visibility),
          ...formatWriteCpu([{ name: report.visibility.name, r: report.visibility }]),
        ]
      : []),
    ...(search || emmett ? [''] : []),
    ...formatWriteCpu(
      runs.filter((r) => r !== report.limit && r !== report.limitBatched).map((r) => ({ name: bestName(r), r })),
    ),
    ...(search ? [formatGatewaySearch(search)] : []),
    ...(emmett ? [formatSearch(emmett)] : []),
    ...(errorLines.length > 0 ? ['', ...errorLines] : []),
  ].join('\n');
}

/** A file name that sorts by time and is valid on every file system: `<label>-<start time>.json`. */
export function reportFileName(startedAt: Date, label = 'bench'): string {
  return `${label}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
}
