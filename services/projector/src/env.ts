import { platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const projectorEnvSchema = platformEnvSchema.extend(readModelEnvSchema.shape).extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_PROJECTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8092),
  /**
   * Prefix of the projections' consumer groups; each read model's group is `<prefix>.<name>`.
   * Default `<VERITY_TOPIC_PREFIX>.projection`. A rebuild into another schema sets its own, so
   * it reads the log from the start instead of sharing partitions with the running projector.
   */
  VERITY_PROJECTOR_GROUP_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9.-]*$/)
    .optional(),
});
export type ProjectorEnv = z.infer<typeof projectorEnvSchema>;
