import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { projectorEnvSchema } from '../services';
import { createPlatform, parseEnv } from '@verity/service-kit';
import { UsageError } from '../errors';
import { parkedSchema } from '../projection-generations';
import { rebuildProjection, type RebuildOutcome } from '../projection-rebuild';
import { byName, openRebuildDeps } from '../projections-command';
import { openSandbox } from '../sandbox';
import { localStackConfig, tearDownOnInterrupt } from './loopback';
import { processCpuMs } from './process-cpu';
import { loadScale } from './scale-load';
import { RESERVED_EVERY } from './scale-streams';

export const REBUILD_BENCH_USAGE = 'verity bench rebuild [--events n,n,...]';

const progress = (message: string): void => void process.stderr.write(`bench rebuild: ${message}\n`);

export interface RebuildBenchRow {
  events: number;
  loadSeconds: number;
  buildSeconds: number;
  eventsPerS: number;
  /** Events/s once the first applied events were seen: the build without its start (see `RebuildOutcome`). */
  applyingEventsPerS: number;
  /** CPU of this process (decode, projection code, pg client) per wall second of the build. */
  cliCpuShare: number;
  /** CPU of the PostgreSQL sessions that applied the batches per wall second (not the WAL writer's or checkpointer's). */
  pgCpuShare: number;
  /** The same CPU per event applied, in µs: it moves less than events/s with other work on the machine. */
  cliCpuUsPerEvent: number;
  pgCpuUsPerEvent: number;
  /** The machine's 1-minute load average as the build ended. */
  loadAverage: number;
}

/** How often the sessions' CPU is read: a session's last reading before it closes is what counts. */
const SESSION_CPU_EVERY_MS = 250;

/** CPU (ms) PostgreSQL server processes used since each was first told of. */
function sessionsCpu(): { add(pid: number): void; usedMs(): number; stop(): void } {
  const sessions = new Map<number, { first: number; last: number }>();
  const read = (): void => {
    for (const [pid, cpu] of sessions) cpu.last = processCpuMs(pid) ?? cpu.last;
  };
  const timer = setInterval(read, SESSION_CPU_EVERY_MS);
  return {
    add(pid) {
      const now = processCpuMs(pid);
      if (now !== undefined) sessions.set(pid, { first: now, last: now });
    },
    usedMs() {
      read();
      return [...sessions.values()].reduce((sum, { first, last }) => sum + last - first, 0);
    },
    stop: () => clearInterval(timer),
  };
}

export function parseRebuildBenchArgs(args: readonly string[]): { events: number[] } {
  let values: { events?: string };
  try {
    ({ values } = parseArgs({ args: [...args], options: { events: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError(`bench rebuild: ${(error as Error).message}`);
  }
  const events = (values.events ?? '100000,1000000').split(',').map((raw) => {
    if (!/^\d+$/.test(raw) || Number(raw) < 1)
      throw new UsageError(`bench rebuild --events ${raw}: whole numbers from 1`);
    return Number(raw);
  });
  return { events };
}

/**
 * `verity bench rebuild`: per size, a sandbox of its own; the inventory events loaded straight
 * to the topics first (the scale bench's loader: one StockReceived per stream, a reservation
 * every RESERVED_EVERY streams), then `inventory-stock` rebuilt from offset 0 by the same code
 * as `projections rebuild`; the build's events/s and this process's CPU share. No service runs.
 */
export async function runRebuildBench(args: readonly string[]): Promise<RebuildBenchRow[]> {
  const { events: sizes } = parseRebuildBenchArgs(args);
  const config = localStackConfig();
  const { rdkafka, serde } = createPlatform('bench-rebuild', { ...config, VERITY_LOG_LEVEL: 'warn' });
  const rows: RebuildBenchRow[] = [];
  for (const events of sizes) {
    const sandbox = await openSandbox(config, { label: 'rebuild' });
    const stopWatching = tearDownOnInterrupt(() => sandbox.cleanup(), progress);
    try {
      // One event per stream, one more per reserved stream.
      const streams = Math.ceil(events / (1 + 1 / RESERVED_EVERY));
      const load = await loadScale({
        rdkafka,
        admin: sandbox.admin,
        serde,
        prefix: sandbox.prefix,
        shape: { streams, tenants: 10, outcomes: 0 },
        partitions: config.VERITY_PARTITIONS,
        replicationFactor: config.VERITY_REPLICATION_FACTOR,
        outcomeWindowMs: config.VERITY_OUTCOME_RETENTION_MS,
        progress,
      });
      progress(`loaded ${load.events} events in ${load.seconds.toFixed(1)} s; rebuilding inventory-stock`);
      const env = parseEnv(projectorEnvSchema, { ...sandbox.env, VERITY_LOG_LEVEL: 'warn' });
      const { deps, close } = await openRebuildDeps(env);
      try {
        const cpu = process.cpuUsage();
        const pg = sessionsCpu();
        let used: NodeJS.CpuUsage;
        let pgMs: number;
        let outcome: RebuildOutcome;
        try {
          outcome = await rebuildProjection(deps, byName('inventory-stock'), {
            maxLag: 0,
            dropPrevious: true,
            progress,
            onSession: (pid) => pg.add(pid),
          });
        } finally {
          used = process.cpuUsage(cpu);
          pgMs = pg.usedMs();
          pg.stop();
        }
        if (outcome.kind !== 'switched') throw new Error('rebuild interrupted');
        const built = Number(outcome.built);
        const cliS = (used.user + used.system) / 1e6;
        const row: RebuildBenchRow = {
          events: load.events,
          loadSeconds: load.seconds,
          buildSeconds: outcome.buildSeconds,
          eventsPerS: built / outcome.buildSeconds,
          applyingEventsPerS:
            outcome.applying.seconds > 0 ? Number(outcome.applying.events) / outcome.applying.seconds : 0,
          cliCpuShare: cliS / outcome.buildSeconds,
          pgCpuShare: pgMs / 1000 / outcome.buildSeconds,
          cliCpuUsPerEvent: (cliS * 1e6) / built,
          pgCpuUsPerEvent: (pgMs * 1000) / built,
          loadAverage: loadavg()[0] ?? 0,
        };
        rows.push(row);
        progress(
          `${row.events} events: built in ${row.buildSeconds.toFixed(1)} s, ${Math.round(row.eventsPerS)} events/s ` +
            `(${Math.round(row.applyingEventsPerS)} once applying), ` +
            `CPU per event: CLI ${row.cliCpuUsPerEvent.toFixed(1)} µs, PostgreSQL ${row.pgCpuUsPerEvent.toFixed(1)} µs ` +
            `(CLI ${(row.cliCpuShare * 100).toFixed(0)}%, PostgreSQL ${(row.pgCpuShare * 100).toFixed(0)}% of a core); ` +
            `load average ${row.loadAverage.toFixed(1)}`,
        );
        await deps.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [
          parkedSchema(env.VERITY_DB_SCHEMA, 'inventory-stock', 1),
        ]);
      } finally {
        await close();
      }
    } finally {
      stopWatching();
      await sandbox.cleanup();
    }
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
  return rows;
}
