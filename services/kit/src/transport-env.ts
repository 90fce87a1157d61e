import { readFileSync } from 'node:fs';
import type { KafkaSecurity } from '@verity/events';
import { z } from 'zod';
import { InvalidConfigurationError } from './config-error';

/** A boolean variable: `true`/`1` or `false`/`0`/empty; absent is false. */
export const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/**
 * How every service's HTTP server listens: HTTPS when a certificate and key are given, and the
 * limits Node applies before express sees a request.
 */
export const httpServerEnvSchema = z.object({
  /** PEM certificate (chain) file: with VERITY_TLS_KEY the service serves HTTPS instead of HTTP. */
  VERITY_TLS_CERT: z.string().min(1).optional(),
  /** PEM private key file of VERITY_TLS_CERT. */
  VERITY_TLS_KEY: z.string().min(1).optional(),
  /** Largest request line and headers together, in bytes (431 above it). Node's default, 16 KiB. */
  VERITY_HTTP_MAX_HEADER_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(16 * 1024),
  /** Longest time a client may take to send a whole request (408 after it); 0 waits forever. Default 30 s. */
  VERITY_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * How long an idle keep-alive connection stays open. Longer than the idle timeout of the load
   * balancer or proxy in front (AWS ALB and nginx: 60 s), so that side closes first: with Node's
   * 5 s, a request it sends on a connection the service is closing fails (a 502, a reset).
   */
  VERITY_HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(65_000),
});
export type HttpServerEnv = z.infer<typeof httpServerEnvSchema>;

/** The Kafka clients' transport security: TLS, a CA of its own, and SASL (PLAIN or SCRAM). */
export const kafkaSecurityEnvSchema = z.object({
  /** `true`: connect to the brokers over TLS. */
  VERITY_KAFKA_SSL: flag,
  /** PEM file of the CA that signed the brokers' certificates, when the system's CAs do not. */
  VERITY_KAFKA_SSL_CA: z.string().min(1).optional(),
  /** SASL mechanism: `plain`, `scram-sha-256` or `scram-sha-512`; unset, no SASL. */
  VERITY_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  VERITY_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  VERITY_KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
});
export type KafkaSecurityEnv = z.infer<typeof kafkaSecurityEnvSchema>;

/** The Kafka clients' security settings, or undefined for plaintext without SASL (the local stack). */
// The rules between variables are checked here, where they are used, rather than in the schema:
// a zod object with refinements can no longer be extended by each service's env schema.
export function kafkaSecurity(env: Partial<KafkaSecurityEnv>): KafkaSecurity | undefined {
  const problems: string[] = [];
  const mechanism = env.VERITY_KAFKA_SASL_MECHANISM;
  if (mechanism)
    for (const name of ['VERITY_KAFKA_SASL_USERNAME', 'VERITY_KAFKA_SASL_PASSWORD'] as const)
      if (!env[name]) problems.push(`${name}: required with VERITY_KAFKA_SASL_MECHANISM`);
  if (env.VERITY_KAFKA_SSL_CA && !env.VERITY_KAFKA_SSL)
    problems.push('VERITY_KAFKA_SSL_CA: needs VERITY_KAFKA_SSL=true');
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  const sasl =
    mechanism && env.VERITY_KAFKA_SASL_USERNAME && env.VERITY_KAFKA_SASL_PASSWORD
      ? { mechanism, username: env.VERITY_KAFKA_SASL_USERNAME, password: env.VERITY_KAFKA_SASL_PASSWORD }
      : undefined;
  if (!env.VERITY_KAFKA_SSL && !sasl) return undefined;
  return {
    ssl: env.VERITY_KAFKA_SSL === true,
    ...(env.VERITY_KAFKA_SSL_CA ? { caFile: env.VERITY_KAFKA_SSL_CA } : {}),
    ...(sasl ? { sasl } : {}),
  };
}

/** The certificate and key the HTTP server presents, read once at start; undefined: plain HTTP. */
export function tlsFiles(env: Partial<HttpServerEnv>): { cert: Buffer; key: Buffer } | undefined {
  if (Boolean(env.VERITY_TLS_CERT) !== Boolean(env.VERITY_TLS_KEY))
    throw new InvalidConfigurationError(['VERITY_TLS_CERT and VERITY_TLS_KEY: set both or neither']);
  if (!env.VERITY_TLS_CERT || !env.VERITY_TLS_KEY) return undefined;
  return { cert: readFileSync(env.VERITY_TLS_CERT), key: readFileSync(env.VERITY_TLS_KEY) };
}
