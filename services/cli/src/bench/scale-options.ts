import { z } from 'zod';
import { parseFlags, type FlagTable } from './options';

/** Streams of the baseline the full size is compared with, in the same run. */
export const BASELINE_STREAMS = 1000;

/**
 * What `verity bench scale` loads and measures, from `--flag value` (or `--flag=value`) with a
 * `VERITY_BENCH_SCALE_*` variable behind each flag. The defaults are issue 13's sizing.
 */
export const scaleOptionsSchema = z.object({
  /** Streams of the full size: inventory SKUs spread over the tenants. */
  streams: z.coerce.number().int().min(BASELINE_STREAMS).max(10_000_000).default(1_000_000),
  /** Tenants the streams are spread over, at both sizes. */
  tenants: z.coerce.number().int().min(1).max(BASELINE_STREAMS).default(10),
  /** Past command outcomes on the replies topic at the full size; the baseline gets the same share per stream. */
  outcomes: z.coerce.number().int().min(0).max(100_000_000).default(5_000_000),
  /** Partitions of the context topics (VERITY_PARTITIONS of the services). */
  partitions: z.coerce.number().int().min(1).max(256).default(12),
  /** Commands in flight through the gateway in the write phase. */
  connections: z.coerce.number().int().min(1).max(1024).default(64),
  /** Measured seconds of the write phase. */
  durationS: z.coerce.number().int().min(1).max(600).default(10),
  /** Seconds of writes before the measured ones, not counted. */
  warmupS: z.coerce.number().int().min(0).max(60).default(2),
  /** File the JSON result is written to. Default `.verity/bench/scale-<start time>.json`. */
  json: z.string().min(1).optional(),
});
export type ScaleOptions = z.infer<typeof scaleOptionsSchema>;

const FLAGS: FlagTable<keyof ScaleOptions> = {
  values: {
    '--streams': { key: 'streams', env: 'VERITY_BENCH_SCALE_STREAMS' },
    '--tenants': { key: 'tenants', env: 'VERITY_BENCH_SCALE_TENANTS' },
    '--outcomes': { key: 'outcomes', env: 'VERITY_BENCH_SCALE_OUTCOMES' },
    '--partitions': { key: 'partitions', env: 'VERITY_BENCH_SCALE_PARTITIONS' },
    '--connections': { key: 'connections', env: 'VERITY_BENCH_SCALE_CONNECTIONS' },
    '--duration': { key: 'durationS', env: 'VERITY_BENCH_SCALE_DURATION_S' },
    '--warmup': { key: 'warmupS', env: 'VERITY_BENCH_SCALE_WARMUP_S' },
    '--json': { key: 'json', env: 'VERITY_BENCH_SCALE_JSON' },
  },
};

export function parseScaleOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ScaleOptions {
  return parseFlags('bench scale', scaleOptionsSchema, FLAGS, args, env);
}

/** One size the bench loads and measures. */
export interface ScaleShape {
  streams: number;
  tenants: number;
  outcomes: number;
}

/** The baseline and the full size: the baseline's outcomes are the full size's per stream, rounded. */
export function scaleShapes(options: Pick<ScaleOptions, 'streams' | 'tenants' | 'outcomes'>): {
  baseline: ScaleShape;
  full: ScaleShape;
} {
  const { streams, tenants, outcomes } = options;
  return {
    baseline: { streams: BASELINE_STREAMS, tenants, outcomes: Math.round((outcomes * BASELINE_STREAMS) / streams) },
    full: { streams, tenants, outcomes },
  };
}
