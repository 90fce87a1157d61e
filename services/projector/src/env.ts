import { platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const projectorEnvSchema = platformEnvSchema.extend(readModelEnvSchema.shape).extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_PROJECTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8092),
});
export type ProjectorEnv = z.infer<typeof projectorEnvSchema>;
