import { endpointPolicyEnvSchema } from '@verity/connector-outbound';
import { authEnvSchema, platformEnvSchema, readModelEnvSchema, secretsEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const webhookDispatcherEnvSchema = platformEnvSchema
  // The outbox and its checkpoints live beside the read models; Redis holds the rate limits of /metrics.
  .extend(readModelEnvSchema.shape)
  .extend(authEnvSchema.shape)
  // The subscriptions' signing secrets are sealed under VERITY_SECRETS_KEY in the access events.
  .extend(secretsEnvSchema.shape)
  .extend(endpointPolicyEnvSchema.shape)
  .extend({
    /** Port of /health, /ready and /metrics. */
    VERITY_WEBHOOK_DISPATCHER_PORT: count(0, 65535).default(8096),
    /** How long one delivery attempt may take, answer included. Default 10 s. */
    VERITY_WEBHOOKS_TIMEOUT_MS: count(100, 120_000).default(10_000),
    /** Attempts of one delivery before it is given up (dead-lettered). Default 12. */
    VERITY_WEBHOOKS_MAX_ATTEMPTS: count(1, 100).default(12),
    /** First retry's backoff window; it doubles each attempt. Default 30 s. */
    VERITY_WEBHOOKS_RETRY_BASE_MS: count(1, 86_400_000).default(30_000),
    /** Largest backoff window. Default 1 h. */
    VERITY_WEBHOOKS_RETRY_MAX_MS: count(1, 86_400_000).default(3_600_000),
    /** Failed attempts in a row after which a subscription is disabled (an event; enabled again by command). Default 50. */
    VERITY_WEBHOOKS_DISABLE_AFTER: count(1, 10_000).default(50),
    /** Lanes (subscription and stream) sent to at the same time. Default 64. */
    VERITY_WEBHOOKS_CONCURRENCY: count(1, 1024).default(64),
    /** Deliveries a lane sends in order before it yields to the others. Default 50. */
    VERITY_WEBHOOKS_LANE_BATCH: count(1, 1000).default(50),
    /** How often due retries are looked for when nothing new arrives. Default 500 ms. */
    VERITY_WEBHOOKS_POLL_MS: count(10, 60_000).default(500),
    /**
     * How long the broker may hold the outbox's fetch of new events to gather more: a delivery
     * waits up to this much longer, the dispatcher and the broker fetch far less often under load;
     * an idle consumer fetches once per gather, so a short one costs CPU when idle. Default 1 s.
     */
    VERITY_WEBHOOKS_FETCH_GATHER_MS: count(0, 5_000).default(1000),
    /** Hours a delivered or given-up delivery stays in the outbox (and its delivery log). Default 7 days. */
    VERITY_WEBHOOKS_RETENTION_HOURS: count(1, 87_600).default(168),
    /**
     * How long a dispatcher instance owns a lane it sends without renewing it; a crashed instance's
     * lanes go to another after it. More than twice VERITY_WEBHOOKS_TIMEOUT_MS. Default 30 s.
     */
    VERITY_WEBHOOKS_LEASE_MS: count(1_000, 3_600_000).default(30_000),
  })
  // A lane renews its lease before a send once half of it is gone: an attempt must end within that half.
  .refine((env) => env.VERITY_WEBHOOKS_LEASE_MS > 2 * env.VERITY_WEBHOOKS_TIMEOUT_MS, {
    path: ['VERITY_WEBHOOKS_LEASE_MS'],
    message: 'must be more than twice VERITY_WEBHOOKS_TIMEOUT_MS',
  });
export type WebhookDispatcherEnv = z.infer<typeof webhookDispatcherEnvSchema>;
