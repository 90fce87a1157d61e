import { platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const projectorEnvSchema = platformEnvSchema.extend(readModelEnvSchema.shape).extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_PROJECTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8092),
  /**
   * Prefix of the projector's consumer groups: the read models are read by `<prefix>.read-models`.
   * Default `<VERITY_TOPIC_PREFIX>.projection`. A rebuild into another schema sets its own, so
   * it reads the log from the start instead of sharing partitions with the running projector.
   */
  VERITY_PROJECTOR_GROUP_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9.-]*$/)
    .optional(),
  /**
   * Partitions the read models apply at once, each batch in its own transaction: with one, a
   * fetch's batches are applied one after another and a partition's events wait for the others'.
   * Default 4: every topic's partitions share the one consumer.
   */
  VERITY_PROJECTOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long the broker may hold the command outcomes' fetch of replies to gather more: an
   * outcome reaches PostgreSQL up to this much later (a gateway answers from memory meanwhile),
   * in fewer, fuller transactions; an idle consumer fetches once per gather. Default 500 ms.
   */
  VERITY_OUTCOMES_FETCH_GATHER_MS: z.coerce.number().int().min(0).max(5_000).default(500),
  /**
   * Days the alias resolution log (who resolved which alias, when) keeps a resolution; older
   * ones are pruned, hourly, in bounded statements. Default 90.
   */
  VERITY_ALIAS_RESOLUTIONS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /**
   * The query-api's connection string (its VERITY_QUERY_DATABASE_URL): the projector creates
   * that user when missing (no SUPERUSER, no BYPASSRLS) and lets it read the schema's tables.
   */
  VERITY_QUERY_DATABASE_URL: z
    .string()
    .startsWith('postgres')
    .default('postgres://verity_reader:verity_reader@127.0.0.1:5442/verity'),
});
export type ProjectorEnv = z.infer<typeof projectorEnvSchema>;
