import { authEnvSchema, platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { z } from 'zod';
import { graphqlLimitsEnvSchema } from './graphql/limits';
import { subscriptionQuotaEnvSchema } from './graphql/subscription-quota';
import { resolutionLogEnvSchema } from './resolution-log-env';

/** Credentials and rate limits (`VERITY_AUTH_*`, `VERITY_RATE_LIMIT_*`) are the kit's, as the gateway reads them. */
export const queryApiEnvSchema = platformEnvSchema.extend(readModelEnvSchema.shape).extend({
  ...authEnvSchema.shape,
  ...graphqlLimitsEnvSchema.shape,
  ...subscriptionQuotaEnvSchema.shape,
  ...resolutionLogEnvSchema.shape,
  /** Port of the query API (REST). */
  VERITY_QUERY_API_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  /** Longest wait for a projection to pass an `X-Consistency-Token` before answering with `X-Consistency: stale`. */
  VERITY_CONSISTENCY_TIMEOUT_MS: z.coerce.number().int().min(0).max(30_000).default(3000),
  /**
   * PostgreSQL connection string of the reads: a role that does not own the read models' tables
   * and has no BYPASSRLS, so row-level security shows it only the tenant each transaction sets.
   * The projector creates the role and its grants (from its own VERITY_QUERY_DATABASE_URL).
   */
  VERITY_QUERY_DATABASE_URL: z
    .string()
    .startsWith('postgres')
    .default('postgres://verity_reader:verity_reader@127.0.0.1:5442/verity'),
});
export type QueryApiEnv = z.infer<typeof queryApiEnvSchema>;
