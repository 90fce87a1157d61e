import { z } from 'zod';
import { VerityError } from '@verity/core';

/** A latency the harness rounds to null when the window had no successful command. */
const latencyMs = z.number().nullable();
/** CPU seconds the harness reports as null when /proc could not tell (another OS, no access). */
const cpuS = z.number().nullable();

/**
 * The JSON line the Emmett harness (`services/cli/bench/emmett/bench.mjs`) prints last: the
 * fields the bench reads and keeps in its report; the harness prints a few more.
 */
export const emmettRunSchema = z.object({
  versions: z.object({ emmett: z.string(), emmettPostgresql: z.string(), pg: z.string() }),
  postgres: z.string(),
  mode: z.string(),
  /** Commands in flight at once. */
  connections: z.number().int().positive(),
  /** Connections of the pg pool the event store uses; each command holds one for read, decide and append. */
  poolSize: z.number().int().positive(),
  skus: z.number().int().positive(),
  warmupS: z.number(),
  /** Measured seconds. */
  durationS: z.number().positive(),
  /** Commands accepted in the measured window. */
  commands: z.number().int().nonnegative(),
  commandsPerSec: z.number().nonnegative(),
  p50Ms: latencyMs,
  p90Ms: latencyMs,
  p99Ms: latencyMs,
  maxMs: latencyMs,
  /** Commands that failed in the window (a version conflict left after Emmett's retries, a database error). */
  errors: z.number().int().nonnegative(),
  conflictRetries: z.number().int().nonnegative(),
  verify: z.enum(['PASS', 'FAIL']),
  /** CPU seconds in the window: the harness's node process, the PostgreSQL backends it used, the whole cluster, the machine. */
  nodeCpuS: cpuS,
  pgBackendsCpuS: cpuS,
  pgClusterCpuS: cpuS,
  machineBusyCpuS: cpuS,
  load1AtStart: z.number().nullable(),
});
export type EmmettRun = z.infer<typeof emmettRunSchema>;

/** What a finished harness process left behind. */
export interface HarnessOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

const lastLines = (text: string, n: number): string => text.trimEnd().split('\n').slice(-n).join('\n');

/**
 * The run the harness reported, once it verified its store: the last line of stdout parsed and
 * checked, and its own `verify: PASS` line present. A failed verification (exit 1, `verify:
 * FAIL`) is an error of the bench, with the checks that failed in the message; a harness that
 * could not run (exit 2, no JSON line) is one too, with the end of what it printed.
 */
export function readEmmettRun(output: HarnessOutput): EmmettRun {
  const lines = output.stdout.trimEnd().split('\n');
  const failedChecks = lines.filter((l) => /^\s*FAIL\s/.test(l)).map((l) => l.trim());
  if (output.exitCode === 1 || lines.includes('verify: FAIL') || failedChecks.length > 0) {
    throw new VerityError(
      'bench_emmett_verify_failed',
      `the Emmett harness's store does not match the commands it accepted: ${failedChecks.join('; ') || 'verify: FAIL'}`,
    );
  }
  const last = lines.at(-1) ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    json = undefined;
  }
  const parsed = emmettRunSchema.safeParse(json);
  if (output.exitCode !== 0 || !parsed.success) {
    const why =
      output.exitCode !== 0
        ? `exited with code ${output.exitCode}`
        : `ended without its JSON line (${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`;
    throw new VerityError(
      'bench_emmett_failed',
      `the Emmett harness ${why}:\n${lastLines(`${output.stdout}\n${output.stderr}`, 12)}`,
    );
  }
  if (parsed.data.verify !== 'PASS' || !lines.includes('verify: PASS')) {
    throw new VerityError(
      'bench_emmett_verify_failed',
      'the Emmett harness did not print its verification (verify: PASS) for the run it reported',
    );
  }
  return parsed.data;
}
