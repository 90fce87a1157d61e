import type { LoadResult } from './load-result';
import type { SizeMeasurement } from './scale-measure';
import { formatScaleReport, scaleRows, SCALE_GOAL, type ScaleReport, type SizeReport } from './scale-report';

const writes = (throughputPerS: number, p99: number): LoadResult => ({
  name: 'gateway ReceiveStock',
  operations: throughputPerS * 10,
  requests: throughputPerS * 10,
  durationS: 10,
  throughputPerS,
  latencyMs: { count: throughputPerS * 10, mean: p99 / 2, p50: p99 / 2, p99, max: p99 * 2 },
  errors: 0,
  errorsByCause: {},
});

function measured(overrides: Partial<Record<string, number>> = {}): SizeMeasurement {
  const o = (key: string, value: number): number => overrides[key] ?? value;
  return {
    newInstance: {
      firstDecisionS: o('newFirst', 2.1),
      allPartitionsS: o('newAll', 2.5),
      restoredRecords: o('newRestored', 1000),
      residentMb: o('newMb', 150),
    },
    restart: {
      firstDecisionS: o('restartFirst', 11),
      allPartitionsS: o('restartAll', 11.5),
      restoredRecords: o('restartRestored', 0),
      residentMb: o('restartMb', 140),
    },
    gateway: { readyS: o('ready', 1.2), firstAnswerS: o('answer', 1.3), residentMbAfterStart: o('gatewayMb', 110) },
    writes: writes(o('throughput', 1000), 80),
    afterWrites: { processorResidentMb: o('processorAfterMb', 180), gatewayResidentMb: o('gatewayAfterMb', 120) },
    timers: {
      checks: o('checks', 100),
      meanMs: o('timerMean', 1),
      p99Ms: 2.5,
      commandsSent: o('sent', 0),
      reservations: 10,
      dueAtEnd: 4,
    },
  };
}

const size = (streams: number, m: SizeMeasurement): SizeReport => ({
  streams,
  tenants: 10,
  outcomes: streams * 5,
  topicPrefix: `bench${streams}`,
  load: { events: streams, states: streams, outcomes: streams * 5, seconds: 10, recordsPerS: (streams * 7) / 10 },
  measured: m,
});

const rowOf = (rows: ReturnType<typeof scaleRows>, figure: string) => rows.find((r) => r.figure.startsWith(figure))!;

describe('scale report', () => {
  it('puts both sizes side by side with their ratio, and the goal met at each where it holds', () => {
    const rows = scaleRows(
      size(1000, measured()),
      size(1_000_000, measured({ newMb: 600, newAll: 95, newRestored: 1e6 })),
    );
    expect(rowOf(rows, 'processor RSS, new instance')).toMatchObject({
      baseline: 150,
      full: 600,
      ratio: 4,
      goal: `≤ ${SCALE_GOAL.processorMb}`,
      met: { baseline: true, full: false },
    });
    expect(rowOf(rows, 'new instance: decides on every partition')).toMatchObject({
      met: { baseline: true, full: false },
    });
    expect(rowOf(rows, 'new instance: state records restored')).toMatchObject({ ratio: 1000 });
    expect(rowOf(rows, 'new instance: state records restored').goal).toBeUndefined();
    expect(rowOf(rows, 'gateway: /ready')).toMatchObject({ met: { baseline: true, full: true } });
  });

  it('holds the full size to 0.8 of the baseline write throughput', () => {
    const within = scaleRows(size(1000, measured()), size(1e6, measured({ throughput: 850 })));
    expect(rowOf(within, 'writes (commands/s)')).toMatchObject({ ratio: 0.85, met: { full: true } });
    expect(rowOf(within, 'writes (commands/s)').met?.baseline).toBeUndefined();
    const below = scaleRows(size(1000, measured()), size(1e6, measured({ throughput: 700 })));
    expect(rowOf(below, 'writes (commands/s)').met).toEqual({ full: false });
  });

  it('lets a restart read back at most 1 % of the streams', () => {
    const rows = scaleRows(
      size(1000, measured({ restartRestored: 10 })),
      size(1e6, measured({ restartRestored: 10_001 })),
    );
    expect(rowOf(rows, 'restart: state records restored').met).toEqual({ baseline: true, full: false });
  });

  it('allows the timer check to grow with what is due per check, not with the streams', () => {
    const baseline = size(1000, measured({ timerMean: 1, sent: 0, checks: 100 }));
    // 10 due per check at full size: up to 2 × 10 the baseline's mean.
    const dueMore = scaleRows(baseline, size(1e6, measured({ timerMean: 15, sent: 1000, checks: 100 })));
    expect(rowOf(dueMore, 'timer check mean')).toMatchObject({
      goal: 'full ≤ 20.0 × baseline (∝ due)',
      met: { full: true },
    });
    // As much due as the baseline, but the check grew with the streams.
    const grewWithStreams = scaleRows(baseline, size(1e6, measured({ timerMean: 50, sent: 50, checks: 100 })));
    expect(rowOf(grewWithStreams, 'timer check mean')).toMatchObject({
      goal: 'full ≤ 2.0 × baseline (∝ due)',
      met: { full: false },
    });
  });

  it('prints the run, the loads and the table, a dash where a figure or verdict is missing', () => {
    const baseline = size(1000, measured());
    const full = size(1_000_000, measured({ throughput: 700, newMb: Number.NaN }));
    const report: ScaleReport = {
      startedAt: '2026-12-02T12:00:00.000Z',
      finishedAt: '2026-12-02T12:30:00.000Z',
      machine: {
        cpus: 2,
        cpuModel: 'x',
        totalMemoryMb: 24000,
        node: 'v20.19.0',
        platform: 'linux',
        loadAverage: [1, 1.5, 2],
      },
      parameters: {
        streams: 1e6,
        tenants: 10,
        outcomes: 5e6,
        partitions: 12,
        connections: 64,
        durationS: 10,
        warmupS: 2,
      },
      goal: SCALE_GOAL,
      baseline,
      full,
      rows: scaleRows(baseline, full),
    };
    const lines = formatScaleReport(report).split('\n');
    expect(lines[0]).toBe(
      '12 partitions; writes 64 in flight, 10 s after 2 s warm-up; 2 cpus, load 1.0 1.5 2.0, node v20.19.0',
    );
    expect(lines[1]).toMatch(
      /^baseline: 1,000 streams of 10 tenants \(10 with a reservation\), 5,000 outcomes; loaded 7,000 records in 10 s \(700\/s\), prefix bench1000$/,
    );
    expect(lines[2]).toMatch(/^full: 1,000,000 streams/);
    expect(lines[4]).toMatch(/^figure\s+1,000 streams\s+1,000,000 streams\s+full\/base\s+goal\s+base\s+full$/);
    expect(lines.find((l) => l.startsWith('processor RSS, new instance'))).toMatch(
      /150\s+-\s+-x\s+≤ 512\s+pass\s+FAIL$/,
    );
    expect(lines.find((l) => l.startsWith('writes (commands/s)'))).toMatch(
      /1,000\s+700\s+0\.70x\s+full ≥ 0\.8 × baseline\s+-\s+FAIL$/,
    );
    expect(lines.find((l) => l.startsWith('timer checks'))).toMatch(/100\s+100\s+1\.00x$/);
  });
});
