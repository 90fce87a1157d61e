import { z } from 'zod';
import { UsageError } from '../errors';
import { SERVICE_NAMES, type ServiceName } from '../services';

/** The services the bench runs `--instances` times; the others read or project and run once. */
export const SCALED_SERVICES: readonly ServiceName[] = ['command-processor', 'gateway'];

/**
 * What `verity bench` runs, from `--flag value` (or `--flag=value`) with a `VERITY_BENCH_*`
 * environment variable behind each flag. The defaults finish in about a minute on two cores.
 */
export const benchOptionsSchema = z
  .object({
    /** Measured seconds of each run. */
    durationS: z.coerce.number().int().min(1).max(600).default(10),
    /** Seconds of load before each run that are not counted: connections, metadata and JIT settle. */
    warmupS: z.coerce.number().int().min(0).max(60).default(2),
    /** Requests (or sends) in flight at once, in both runs. */
    connections: z.coerce.number().int().min(1).max(1024).default(32),
    /** Records per send of the batched produce run; 1 leaves that run out. */
    batchSize: z.coerce.number().int().min(1).max(10_000).default(50),
    /** Distinct SKUs (stream ids) the load cycles over. */
    skus: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    /** Services the platform under test runs, comma-separated. */
    services: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(SERVICE_NAMES)).min(1))
      .refine(
        (names) => names.includes('gateway') && names.includes('command-processor'),
        'needs gateway and command-processor',
      )
      .default([...SERVICE_NAMES]),
    /**
     * Processes of the gateway and of the command-processor each (the other services run once);
     * the load is spread over the gateways. 2 shows what scaling out gives (issue 9).
     */
    instances: z.coerce.number().int().min(1).max(4).default(1),
    /** Folder the JSON result is written to, relative to the working directory. */
    out: z.string().min(1).default('.verity/bench'),
    /**
     * Folder (relative to the working directory) for a V8 CPU profile of each service process,
     * `<run prefix>.<process>.cpuprofile`, written as it stops; none by default.
     */
    cpuProf: z.string().min(1).optional(),
    /**
     * Emmett on PostgreSQL as the reference (services/cli/bench/emmett): at the same in-flight
     * count and at its own best. `--no-emmett` (or VERITY_BENCH_EMMETT=false) leaves it out.
     */
    emmett: z.stringbool().default(true),
    /**
     * After the run at `connections`, the search for the gateway's best in-flight count (32 to
     * 512, GATEWAY_SEARCH). `--no-search` (or VERITY_BENCH_SEARCH=false) leaves it out.
     */
    search: z.stringbool().default(true),
    /**
     * Before the write runs, cache-hit reads through the query API beside a minimal express +
     * ioredis server answering the same bytes (READ_SERVICES must run). `--no-reads` (or
     * VERITY_BENCH_READS=false) leaves them out.
     */
    reads: z.stringbool().default(true),
    /** Requests per second of the reads' fixed-rate runs, where their p99 is taken (issue 9: 5,000). */
    readRate: z.coerce.number().int().min(1).max(100_000).default(5000),
    /**
     * After the write runs, commands at `visibleRate` each read back with its reply's consistency
     * token: command to read model visible (READ_SERVICES must run). `--no-visibility` (or
     * VERITY_BENCH_VISIBILITY=false) leaves it out.
     */
    visibility: z.stringbool().default(true),
    /** Commands per second of the visibility run (issue 9: a steady 1,000). */
    visibleRate: z.coerce.number().int().min(1).max(100_000).default(1000),
  })
  .refine((options) => options.connections >= options.instances, {
    path: ['connections'],
    message: 'at least one in flight per gateway instance',
  });
export type BenchOptions = z.infer<typeof benchOptionsSchema>;

/** The services the read phase needs besides the write path: the projector fills the cache the query API reads. */
export const READ_SERVICES: readonly ServiceName[] = ['projector', 'query-api'];

/** Why the read phase cannot run with these services; undefined when it can. */
export function readsSkippedBecause(services: readonly ServiceName[]): string | undefined {
  const missing = READ_SERVICES.filter((s) => !services.includes(s));
  return missing.length === 0 ? undefined : `the reads need ${missing.join(' and ')} in --services`;
}

const FLAGS: Record<string, { key: keyof BenchOptions; env: string }> = {
  '--duration': { key: 'durationS', env: 'VERITY_BENCH_DURATION_S' },
  '--warmup': { key: 'warmupS', env: 'VERITY_BENCH_WARMUP_S' },
  '--connections': { key: 'connections', env: 'VERITY_BENCH_CONNECTIONS' },
  '--batch-size': { key: 'batchSize', env: 'VERITY_BENCH_BATCH_SIZE' },
  '--skus': { key: 'skus', env: 'VERITY_BENCH_SKUS' },
  '--services': { key: 'services', env: 'VERITY_BENCH_SERVICES' },
  '--instances': { key: 'instances', env: 'VERITY_BENCH_INSTANCES' },
  '--out': { key: 'out', env: 'VERITY_BENCH_OUT' },
  '--cpu-prof': { key: 'cpuProf', env: 'VERITY_BENCH_CPU_PROF' },
  '--read-rate': { key: 'readRate', env: 'VERITY_BENCH_READ_RATE' },
  '--visible-rate': { key: 'visibleRate', env: 'VERITY_BENCH_VISIBLE_RATE' },
};

/** Flags without a value: each sets its option to the value given here. */
const SWITCHES: Record<string, { key: keyof BenchOptions; value: string }> = {
  '--no-emmett': { key: 'emmett', value: 'false' },
  '--no-search': { key: 'search', value: 'false' },
  '--no-reads': { key: 'reads', value: 'false' },
  '--no-visibility': { key: 'visibility', value: 'false' },
};
/** Options whose flag is a switch read from the environment too. */
const SWITCH_ENV: Array<{ key: keyof BenchOptions; env: string }> = [
  { key: 'emmett', env: 'VERITY_BENCH_EMMETT' },
  { key: 'search', env: 'VERITY_BENCH_SEARCH' },
  { key: 'reads', env: 'VERITY_BENCH_READS' },
  { key: 'visibility', env: 'VERITY_BENCH_VISIBILITY' },
];

/** The flags of a command: with a value (`--flag value`, `--flag=value`), or switches that set a fixed value. */
export interface FlagTable<K extends string> {
  /** Each flag with a value, and the environment variable read behind it. */
  values: Record<string, { key: K; env: string }>;
  switches?: Record<string, { key: K; value: string }>;
  /** Options set by a switch that an environment variable sets too. */
  switchEnv?: Array<{ key: K; env: string }>;
}

/**
 * Options from `args` over the environment, checked by `schema`; `command` names the command
 * in errors. An unknown flag, a missing value or a value the schema refuses is a UsageError
 * naming every problem at once.
 */
export function parseFlags<S extends z.ZodType>(
  command: string,
  schema: S,
  table: FlagTable<string>,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): z.output<S> {
  const { values, switches = {}, switchEnv = [] } = table;
  const raw: Record<string, string> = {};
  for (const flag of [...Object.values(values), ...switchEnv]) {
    const value = env[flag.env];
    if (value !== undefined) raw[flag.key] = value;
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const toggle = switches[arg];
    if (toggle) {
      raw[toggle.key] = toggle.value;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const flag = values[name];
    if (!flag)
      throw new UsageError(
        `${command}: unknown option ${arg}; known: ${[...Object.keys(values), ...Object.keys(switches)].join(', ')}`,
      );
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`${command}: ${name} needs a value`);
    raw[flag.key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `${command}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export function parseBenchOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  return parseFlags(
    'bench',
    benchOptionsSchema,
    { values: FLAGS, switches: SWITCHES, switchEnv: SWITCH_ENV },
    args,
    env,
  );
}
