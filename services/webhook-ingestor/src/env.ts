import { authEnvSchema, platformEnvSchema, readModelEnvSchema, secretsEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const webhookIngestorEnvSchema = platformEnvSchema
  // /metrics carries tenant names and faces the senders' network: it takes the gateway's credentials.
  .extend(authEnvSchema.shape)
  .extend({ VERITY_REDIS_URL: readModelEnvSchema.shape.VERITY_REDIS_URL })
  // The webhook secrets in the access events are sealed under VERITY_SECRETS_KEY; `verity webhooks
  // secret set`, which seals them, needs the same one.
  .extend(secretsEnvSchema.shape)
  .extend({
    /** Port of `POST /webhooks/<source>/<topic>`, /health, /ready and /metrics. */
    VERITY_WEBHOOK_INGESTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8093),
    /** Largest delivery body taken, in bytes (413 above it). Default 1 MiB. */
    VERITY_WEBHOOK_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
  });
export type WebhookIngestorEnv = z.infer<typeof webhookIngestorEnvSchema>;
