import { endpointPolicyEnvSchema } from '@verity/connector-outbound';
import { MAX_ROTATION_OVERLAP_SECONDS } from '@verity/domain';
import { authEnvSchema, platformEnvSchema, readModelEnvSchema, secretsEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const gatewayEnvSchema = platformEnvSchema
  // The command outcomes read model, where outcomes no gateway holds in memory are answered from;
  // Redis holds the rate limits' counters, shared by every instance.
  .extend(readModelEnvSchema.pick({ VERITY_DATABASE_URL: true, VERITY_DB_SCHEMA: true, VERITY_REDIS_URL: true }).shape)
  // Credentials (JWT, API keys) and rate limits.
  .extend(authEnvSchema.shape)
  // Outbound webhook subscriptions: their secrets are sealed under VERITY_SECRETS_KEY (without it,
  // creating one answers 503), their endpoints checked against the dispatcher's policy.
  .extend(secretsEnvSchema.partial().shape)
  .extend(endpointPolicyEnvSchema.shape)
  .extend({
    /** Port of the command API. */
    VERITY_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** How long a request waits for the command's outcome before answering 202 with a status URL. */
    VERITY_REPLY_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(5000),
    /**
     * How long a webhook subscription's previous secret keeps signing beside the new one after a
     * rotation that does not say (`overlapSeconds`); 0 = not at all. Default 24 h.
     */
    VERITY_WEBHOOKS_ROTATION_OVERLAP_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(MAX_ROTATION_OVERLAP_SECONDS)
      .default(86_400),
  });
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
