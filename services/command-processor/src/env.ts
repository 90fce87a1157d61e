import { platformEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const commandProcessorEnvSchema = platformEnvSchema.extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_COMMAND_PROCESSOR_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  /** How often, in ms, each processor checks the streams it owns for due timers (expired reservations). */
  /** Stable per instance (a pod ordinal): a restarted processor then aborts its predecessor's open transaction at once. */
  VERITY_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dots, dashes and underscores, at most 64')
    .optional(),
  VERITY_TIMER_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
});
export type CommandProcessorEnv = z.infer<typeof commandProcessorEnvSchema>;
