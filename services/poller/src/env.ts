import { authEnvSchema, platformEnvSchema, readModelEnvSchema, secretsEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

const ms = (fallback: number, max = 3_600_000) => z.coerce.number().int().min(0).max(max).default(fallback);

export const pollerEnvSchema = platformEnvSchema
  // The poller's configuration, cursors and checksums live in this schema; the drift report reads
  // the read models' tables there too.
  .extend(readModelEnvSchema.shape)
  // The configuration routes take the same credentials as the gateway.
  .extend(authEnvSchema.shape)
  // Source credentials are sealed under VERITY_SECRETS_KEY (required, as in the webhook-ingestor).
  .extend(secretsEnvSchema.shape)
  .extend({
    /** Port of the configuration routes, /health, /ready and /metrics. */
    VERITY_POLLER_PORT: z.coerce.number().int().min(0).max(65535).default(8095),
    /** How often the poller looks for sources that are due. Default 1 s. */
    VERITY_POLLER_TICK_MS: ms(1_000, 60_000).pipe(z.number().min(50)),
    /** Retries of a failed request (5xx, 429, network) before the poll counts as failed. Default 5. */
    VERITY_POLLER_RETRIES: z.coerce.number().int().min(0).max(20).default(5),
    /** First backoff window; it doubles per retry up to the maximum. Default 500 ms and 30 s. */
    VERITY_POLLER_BACKOFF_BASE_MS: ms(500),
    VERITY_POLLER_BACKOFF_MAX_MS: ms(30_000),
    /** Failed polls in a row that open a source's circuit, and how long it stays open. Default 5 and 60 s. */
    VERITY_POLLER_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
    VERITY_POLLER_BREAKER_COOLDOWN_MS: ms(60_000),
    /** How long one request to a source may take. Default 10 s. */
    VERITY_POLLER_REQUEST_TIMEOUT_MS: ms(10_000, 300_000).pipe(z.number().min(100)),
  });
export type PollerEnv = z.infer<typeof pollerEnvSchema>;
