import { secretsKeyOf } from '@verity/core';
import { z } from 'zod';
import { InvalidConfigurationError } from './config-error';
import { httpServerEnvSchema, kafkaSecurityEnvSchema } from './transport-env';

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^:]+:\d+$/, 'host:port')).min(1));

/**
 * Settings every service shares, from `VERITY_*` environment variables. Defaults point at the
 * local stack that `verity infra up` starts.
 */
export const platformEnvSchema = z.object({
  /** Kafka bootstrap servers, comma-separated. */
  VERITY_KAFKA_BROKERS: list.default(['localhost:9092']),
  /** Base URL of the Confluent-compatible schema registry API. */
  VERITY_SCHEMA_REGISTRY_URL: z.url().default('http://localhost:8081/apis/ccompat/v7'),
  /** Prefix of every topic and consumer group; tests use their own. */
  VERITY_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .default('verity'),
  /** Partitions of each context's topics when they are first created. */
  VERITY_PARTITIONS: z.coerce.number().int().min(1).max(256).default(3),
  /** Replication factor of topics the services create (1 on the local single broker). */
  VERITY_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * How long a command's outcome is kept (the replies topic's retention and the outcomes read
   * model's): the window in which a repeated Idempotency-Key is answered with the original
   * outcome and `GET /v1/commands/<id>` knows the command. Default 7 days.
   */
  VERITY_OUTCOME_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(7 * 24 * 3_600_000),
  /** pino level: fatal, error, warn, info, debug, trace. */
  VERITY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // HTTPS, HTTP limits, and Kafka TLS/SASL: see transport-env.ts.
  ...httpServerEnvSchema.shape,
  ...kafkaSecurityEnvSchema.shape,
});
export type PlatformEnv = z.infer<typeof platformEnvSchema>;

/** Read-model settings: the projector and the query-api share them. */
export const readModelEnvSchema = z.object({
  /** PostgreSQL connection string. */
  VERITY_DATABASE_URL: z.string().startsWith('postgres').default('postgres://verity:verity@127.0.0.1:5442/verity'),
  /** PostgreSQL schema of the read models. */
  VERITY_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('verity'),
  /** Redis connection string of the read-model cache. */
  VERITY_REDIS_URL: z.string().startsWith('redis').default('redis://127.0.0.1:6380'),
});
export type ReadModelEnv = z.infer<typeof readModelEnvSchema>;

/** The key's own rule (`secretsKeyOf`), so the settings refuse at start what sealing would refuse later. */
const opensAsSecretsKey = (value: string): boolean => {
  try {
    secretsKeyOf(value);
    return true;
  } catch {
    return false;
  }
};

/**
 * The key-encryption key of the secrets a service seals or opens (webhook secrets, poller
 * credentials), AES-256-GCM: required wherever secrets are kept, so a service never starts
 * unable to open what it stores. The value is never echoed in an error.
 */
export const secretsEnvSchema = z.object({
  VERITY_SECRETS_KEY: z
    .string({ error: 'required: the base64 of 32 bytes (openssl rand -base64 32)' })
    .refine(opensAsSecretsKey, 'the base64 of 32 bytes (openssl rand -base64 32)'),
});
export type SecretsEnv = z.infer<typeof secretsEnvSchema>;

export { InvalidConfigurationError };

/** Parses the environment with a service's schema; every wrong variable is named at once. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new InvalidConfigurationError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return result.data;
}
