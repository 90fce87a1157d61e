import { platformEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const commandProcessorEnvSchema = platformEnvSchema.extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_COMMAND_PROCESSOR_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  /**
   * Stable per instance (a pod ordinal; default the host name): a restarted processor then
   * aborts its predecessor's open transaction at once and reopens its local state store.
   */
  VERITY_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dots, dashes and underscores, at most 64')
    .optional(),
  /** How often, in ms, each processor checks the streams it owns for due timers (expired reservations). */
  VERITY_TIMER_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  /** Folder of the local state stores (one per context and instance); keep it on a persistent volume. */
  VERITY_STATE_DIR: z.string().min(1).default('.verity/state'),
  /** MiB of stream snapshots (as JSON) each context keeps decoded in memory; the rest are read from the local store. */
  VERITY_STATE_CACHE_MB: z.coerce.number().int().min(1).max(65_536).default(32),
});
export type CommandProcessorEnv = z.infer<typeof commandProcessorEnvSchema>;
