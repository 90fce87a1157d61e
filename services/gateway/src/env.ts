import { platformEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const gatewayEnvSchema = platformEnvSchema.extend({
  /** Port of the command API. */
  VERITY_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** How long a request waits for the command's outcome before answering 202 with a status URL. */
  VERITY_REPLY_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(5000),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
