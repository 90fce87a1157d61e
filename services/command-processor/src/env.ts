import { platformEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const commandProcessorEnvSchema = platformEnvSchema.extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_COMMAND_PROCESSOR_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
});
export type CommandProcessorEnv = z.infer<typeof commandProcessorEnvSchema>;
