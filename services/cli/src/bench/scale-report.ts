import type { Machine } from './report';
import type { ScaleLoad } from './scale-load';
import type { SizeMeasurement } from './scale-measure';
import type { ScaleOptions, ScaleShape } from './scale-options';

/** Issue 13's goal, each figure beside it. */
export const SCALE_GOAL = {
  /** Resident memory of a command-processor with the whole load in place, at most. */
  processorMb: 512,
  /** Resident memory of a gateway, at most. */
  gatewayMb: 256,
  /** From a processor's start (a restart, or partitions moved to a new instance) until it decides on every partition again, at most. */
  decideAgainS: 30,
  /** From a gateway's start until it is ready and answers, at most. */
  gatewayS: 10,
  /** The full size's write throughput over the baseline's, at least ("within 20 %"). */
  throughputRatio: 0.8,
  /** A restart reads back at most this share of the streams: only what changed since its store's checkpoint. */
  restartRestoredShare: 0.01,
  /**
   * The timer check's mean at the full size over the baseline's, at most this many times the
   * ratio of streams due per check (each counted as at least 1, and the ratio too): a cost
   * that grew with the streams held rather than with what is due would exceed it by far.
   */
  timerSlack: 2,
} as const;

/** One size as loaded and measured. */
export interface SizeReport extends ScaleShape {
  topicPrefix: string;
  load: Omit<ScaleLoad, 'expiries'>;
  measured: SizeMeasurement;
}

export interface ScaleReport {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  parameters: Omit<ScaleOptions, 'json'>;
  goal: typeof SCALE_GOAL;
  baseline: SizeReport;
  full: SizeReport;
  /** Each figure at both sizes, their ratio, and the goal beside it. */
  rows: ScaleRow[];
}

/** Whether a size meets a goal; undefined where the goal does not apply to it. */
export interface Verdicts {
  baseline?: boolean;
  full?: boolean;
}

export interface ScaleRow {
  figure: string;
  baseline: number;
  full: number;
  /** full / baseline. */
  ratio: number;
  /** Decimals the figures are printed with. */
  digits: number;
  /** The goal in words; absent for a figure shown for context. */
  goal?: string;
  met?: Verdicts;
}

/** Timer commands sent per check: the streams due at one check, on average. */
const duePerCheck = (size: SizeReport): number =>
  size.measured.timers.checks > 0 ? size.measured.timers.commandsSent / size.measured.timers.checks : 0;

/** A goal checked at each size, or on the full size's figure over the baseline's. */
type Goal =
  | { text: string; each: (figure: number, size: SizeReport) => boolean }
  | { text: string; ratio: (ratio: number) => boolean };

/** The figures, their ratio and the goal with the verdicts at each size. */
export function scaleRows(baseline: SizeReport, full: SizeReport): ScaleRow[] {
  const g = SCALE_GOAL;
  const row = (figure: string, of: (size: SizeReport) => number, digits: number, goal?: Goal): ScaleRow => {
    const [b, f] = [of(baseline), of(full)];
    const ratio = f / b;
    const figures: ScaleRow = { figure, baseline: b, full: f, ratio, digits };
    if (!goal) return figures;
    const met: Verdicts =
      'ratio' in goal ? { full: goal.ratio(ratio) } : { baseline: goal.each(b, baseline), full: goal.each(f, full) };
    return { ...figures, goal: goal.text, met };
  };
  const atMost = (limit: number) => (n: number) => n <= limit;
  // Up to one stream due per check is what a check costs anyway.
  const timerAllowed = g.timerSlack * Math.max(1, Math.max(1, duePerCheck(full)) / Math.max(1, duePerCheck(baseline)));
  return [
    row('processor RSS, new instance restored (MB)', (s) => s.measured.newInstance.residentMb ?? Number.NaN, 0, {
      text: `≤ ${g.processorMb}`,
      each: atMost(g.processorMb),
    }),
    row('processor RSS, restarted (MB)', (s) => s.measured.restart.residentMb ?? Number.NaN, 0, {
      text: `≤ ${g.processorMb}`,
      each: atMost(g.processorMb),
    }),
    row('processor RSS, after the writes (MB)', (s) => s.measured.afterWrites.processorResidentMb ?? Number.NaN, 0, {
      text: `≤ ${g.processorMb}`,
      each: atMost(g.processorMb),
    }),
    row('gateway RSS, started (MB)', (s) => s.measured.gateway.residentMbAfterStart ?? Number.NaN, 0, {
      text: `≤ ${g.gatewayMb}`,
      each: atMost(g.gatewayMb),
    }),
    row('gateway RSS, after the writes (MB)', (s) => s.measured.afterWrites.gatewayResidentMb ?? Number.NaN, 0, {
      text: `≤ ${g.gatewayMb}`,
      each: atMost(g.gatewayMb),
    }),
    row('new instance: first decision (s)', (s) => s.measured.newInstance.firstDecisionS, 1),
    row('new instance: decides on every partition (s)', (s) => s.measured.newInstance.allPartitionsS, 1, {
      text: `≤ ${g.decideAgainS}`,
      each: atMost(g.decideAgainS),
    }),
    row('new instance: state records restored', (s) => s.measured.newInstance.restoredRecords, 0),
    row('restart: first decision (s)', (s) => s.measured.restart.firstDecisionS, 1),
    row('restart: decides on every partition (s)', (s) => s.measured.restart.allPartitionsS, 1, {
      text: `≤ ${g.decideAgainS}`,
      each: atMost(g.decideAgainS),
    }),
    row('restart: state records restored', (s) => s.measured.restart.restoredRecords, 0, {
      text: `≤ ${g.restartRestoredShare * 100} % of streams`,
      each: (n, size) => n <= g.restartRestoredShare * size.streams,
    }),
    row('gateway: /ready (s)', (s) => s.measured.gateway.readyS, 2, {
      text: `≤ ${g.gatewayS}`,
      each: atMost(g.gatewayS),
    }),
    row('gateway: first answer (s)', (s) => s.measured.gateway.firstAnswerS, 2, {
      text: `≤ ${g.gatewayS}`,
      each: atMost(g.gatewayS),
    }),
    row('writes (commands/s)', (s) => s.measured.writes.throughputPerS, 0, {
      text: `full ≥ ${g.throughputRatio} × baseline`,
      ratio: (ratio) => ratio >= g.throughputRatio,
    }),
    row('writes p99 (ms)', (s) => s.measured.writes.latencyMs.p99, 1),
    row('timer check mean (ms)', (s) => s.measured.timers.meanMs, 2, {
      text: `full ≤ ${timerAllowed.toFixed(1)} × baseline (∝ due)`,
      ratio: (ratio) => ratio <= timerAllowed,
    }),
    row('timer check p99 (ms, bucket bound)', (s) => s.measured.timers.p99Ms, 1),
    row('timer checks', (s) => s.measured.timers.checks, 0),
    row('streams due, sent by the timers', (s) => s.measured.timers.commandsSent, 0),
    row('reservations expired by the end', (s) => s.measured.timers.dueAtEnd, 0),
  ];
}

const fixed = (n: number, digits: number): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : Number.isNaN(n)
      ? '-'
      : '∞';

const verdict = (met: boolean | undefined): string => (met === undefined ? '-' : met ? 'pass' : 'FAIL');

/** The table: both sizes side by side, their ratio, the goal and whether each size meets it. */
export function formatScaleRows(rows: readonly ScaleRow[], baseline: number, full: number): string {
  const header = [
    'figure',
    `${fixed(baseline, 0)} streams`,
    `${fixed(full, 0)} streams`,
    'full/base',
    'goal',
    'base',
    'full',
  ];
  const widths = [46, 16, 18, 11, 30, 6, 6];
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join(' ')
      .trimEnd();
  return [
    line(header),
    ...rows.map((r) =>
      line([
        r.figure,
        fixed(r.baseline, r.digits),
        fixed(r.full, r.digits),
        `${fixed(r.ratio, 2)}x`,
        ` ${r.goal ?? ''}`,
        r.met ? verdict(r.met.baseline) : '',
        r.met ? verdict(r.met.full) : '',
      ]),
    ),
  ].join('\n');
}

/** What ran and how the loads went, above the table. */
export function formatScaleReport(report: ScaleReport): string {
  const { machine, parameters: p, baseline, full } = report;
  const loadLine = (label: string, s: SizeReport): string =>
    `${label}: ${fixed(s.streams, 0)} streams of ${s.tenants} tenants (${fixed(s.measured.timers.reservations, 0)} with a reservation), ` +
    `${fixed(s.outcomes, 0)} outcomes; loaded ${fixed(s.load.events + s.load.states + s.load.outcomes, 0)} records in ` +
    `${fixed(s.load.seconds, 0)} s (${fixed(s.load.recordsPerS, 0)}/s), prefix ${s.topicPrefix}`;
  const errors = [baseline, full]
    .filter((s) => s.measured.writes.errors > 0)
    .map(
      (s) =>
        `errors in the writes at ${fixed(s.streams, 0)} streams: ${Object.entries(s.measured.writes.errorsByCause)
          .map(([cause, n]) => `${cause} × ${n}`)
          .join(', ')}`,
    );
  return [
    `${p.partitions} partitions; writes ${p.connections} in flight, ${p.durationS} s after ${p.warmupS} s warm-up; ` +
      `${machine.cpus} cpus, load ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}, node ${machine.node}`,
    loadLine('baseline', baseline),
    loadLine('full', full),
    '',
    formatScaleRows(report.rows, baseline.streams, full.streams),
    ...(errors.length > 0 ? ['', ...errors] : []),
  ].join('\n');
}
