import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createPlatform } from '@verity/service-kit';
import { openSandbox, type Sandbox } from '../sandbox';
import { localStackConfig, tearDownOnInterrupt } from './loopback';
import { machine } from './machine';
import { reportFileName } from './report';
import { loadScale } from './scale-load';
import { measureSize } from './scale-measure';
import { parseScaleOptions, scaleShapes, type ScaleShape } from './scale-options';
import type { TimedProcess } from './scale-processes';
import { formatScaleReport, scaleRows, SCALE_GOAL, type ScaleReport, type SizeReport } from './scale-report';

const progress = (message: string): void => void process.stderr.write(`bench scale: ${message}\n`);

/**
 * `verity bench scale` (issue 13): on the running local stack, loads a baseline of 1,000
 * streams and then the full size (default 1,000,000 streams and 5,000,000 past outcomes), each
 * into a sandbox of its own, straight to the topics; measures each with the services as
 * separate processes (a processor on an empty state directory, killed and restarted on it; a
 * gateway started with the outcomes in place; writes through it; memory; the timers' cost);
 * prints both sizes side by side with the goal beside each figure and writes the JSON report.
 * A size's sandbox is removed once it is measured, and everything at the end, also after a
 * failure or Ctrl-C.
 */
export async function runScaleBench(args: readonly string[]): Promise<ScaleReport> {
  const options = parseScaleOptions(args);
  const config = localStackConfig();
  const startedAt = new Date();
  const host = machine();
  // The loader's clients: librdkafka to write, the registry's serde to encode the events.
  const { rdkafka, serde } = createPlatform('bench-scale', { ...config, VERITY_LOG_LEVEL: 'warn' });
  const sandboxes = new Set<Sandbox>();
  const spawned: TimedProcess[] = [];
  const removeSandbox = async (sandbox: Sandbox): Promise<void> => {
    sandboxes.delete(sandbox);
    await sandbox.cleanup();
    progress(`removed the topics, groups, subjects, schema and state stores of ${sandbox.prefix}`);
  };
  let teardown: Promise<void> | undefined;
  const tearDown = (): Promise<void> =>
    (teardown ??= (async () => {
      await Promise.all(spawned.map((p) => p.stop()));
      for (const sandbox of sandboxes) await removeSandbox(sandbox);
    })());
  const stopWatchingInterrupt = tearDownOnInterrupt(tearDown, progress);

  async function loadAndMeasure(label: string, shape: ScaleShape): Promise<SizeReport> {
    const sandbox = await openSandbox(config, { label: 'scale' });
    sandboxes.add(sandbox);
    const say = (message: string): void => progress(`${label}: ${message}`);
    say(
      `loading ${shape.streams} streams of ${shape.tenants} tenants and ${shape.outcomes} outcomes, ` +
        `${options.partitions} partitions, prefix ${sandbox.prefix}`,
    );
    const { expiries, ...load } = await loadScale({
      rdkafka,
      admin: sandbox.admin,
      serde,
      prefix: sandbox.prefix,
      shape,
      partitions: options.partitions,
      replicationFactor: config.VERITY_REPLICATION_FACTOR,
      outcomeWindowMs: config.VERITY_OUTCOME_RETENTION_MS,
      progress: say,
    });
    const measured = await measureSize({
      sandbox,
      shape,
      load: { ...load, expiries },
      partitions: options.partitions,
      connections: options.connections,
      warmupS: options.warmupS,
      durationS: options.durationS,
      spawned: (p) => spawned.push(p),
      progress: say,
    });
    // Before the next size: its disk and the broker's page cache go to that one.
    await removeSandbox(sandbox);
    return { ...shape, topicPrefix: sandbox.prefix, load, measured };
  }

  try {
    const shapes = scaleShapes(options);
    const baseline = await loadAndMeasure('baseline', shapes.baseline);
    const full = await loadAndMeasure('full', shapes.full);
    const { json, ...parameters } = options;
    const report: ScaleReport = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: host,
      parameters,
      goal: SCALE_GOAL,
      baseline,
      full,
      rows: scaleRows(baseline, full),
    };
    const file = resolve(json ?? join('.verity', 'bench', reportFileName(startedAt, 'scale')));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${formatScaleReport(report)}\n\nwritten to ${file}\n`);
    return report;
  } finally {
    await tearDown();
    stopWatchingInterrupt();
  }
}
