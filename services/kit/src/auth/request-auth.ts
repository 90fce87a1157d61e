import express, { type RequestHandler } from 'express';
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { KafkaSecurity, Logger } from '@verity/events';
import type { DependencyCheck } from '../http-app';
import { jwtVerifierOptions, rateLimitSettings, type AuthEnv } from './auth-env';
import { createAuthenticator } from './authenticate';
import { createGuard } from './guard';
import { createJwtVerifier, type JwtVerifier } from './jwt';
import type { ApiKeyRecord } from './key-directory';
import { rateLimits } from './rate-limit';
import { HttpProblem } from '../problem';
import { principalOf } from './request-principal';
import { StateKeyDirectory } from './state-key-directory';

export interface RequestAuthOptions<R extends ApiKeyRecord = ApiKeyRecord> {
  env: AuthEnv & { VERITY_KAFKA_BROKERS: readonly string[]; VERITY_TOPIC_PREFIX: string };
  /** Tells the key directory how many partitions the access state topic has. */
  admin: Admin;
  /** The access context's state topic; it must exist before `start()`, and `admin` be connected. */
  accessStateTopic: string;
  /** The keys of a key family's snapshot: `apiKeysOf` of `@verity/domain`. */
  keysOf(streamId: string, state: unknown): R[];
  /** The rate limits' shared counters. */
  redis: Redis;
  metrics: Registry;
  logger: Logger;
  /** Names this instance's key directory reader. */
  clientId: string;
  /** TLS and SASL settings of the cluster the key directory reads, when it needs them. */
  security?: KafkaSecurity;
}

/**
 * What a public service puts in front of its routes. Its handlers exist from creation, so routes
 * are mounted with the app; until `start()` has read every key, an API key is answered 503
 * (`authenticate`), never let through.
 */
export interface RequestAuth<R extends ApiKeyRecord = ApiKeyRecord> {
  /** Address limit, credential check, credential limit: mount before every guarded route. */
  guard: RequestHandler;
  /** What `/metrics` needs: nothing with `VERITY_METRICS_OPEN`, else `guard` and `platform-operator` or `reader:metrics`. */
  metricsGuard: RequestHandler;
  /** The key directory, for the admin API's list. */
  keys: StateKeyDirectory<R>;
  /** `down` until every key written before start is held: a key could not be told from a forged one. */
  check(): DependencyCheck;
  /** Loads the JWT keys (a configuration they refuse fails here) and reads every API key. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Handlers run in order as one. */
function chain(handlers: readonly RequestHandler[]): RequestHandler {
  const router = express.Router();
  if (handlers.length) router.use(...handlers);
  return router;
}

/**
 * Metrics count every tenant's traffic: for a platform operator, or a credential granted
 * `reader:metrics` by name (a tenant's context-free reader or admin is not enough).
 */
const requireMetricsReader: RequestHandler = (req, _res, next) => {
  const principal = principalOf(req);
  if (principal.permissions.has('platform-operator') || principal.grants.some((g) => g.context === 'metrics'))
    return next();
  throw new HttpProblem(
    403,
    'insufficient_permission',
    'Insufficient permission',
    'missing permission reader:metrics',
    {
      missingPermission: 'reader:metrics',
    },
  );
};

/**
 * Credentials and rate limits as the gateway and the query-api apply them, from the environment:
 * JWTs when a key source is configured, API keys always (the access context's state topic, read
 * whole into memory: keys are few), limits per address and per credential in Redis.
 */
export function createRequestAuth<R extends ApiKeyRecord = ApiKeyRecord>(
  options: RequestAuthOptions<R>,
): RequestAuth<R> {
  const { env } = options;
  const jwtOptions = jwtVerifierOptions(env);
  // jose loads asynchronously: tokens wait for it, start() surfaces a key it refuses.
  const verifier = jwtOptions ? createJwtVerifier(jwtOptions) : undefined;
  verifier?.catch(() => undefined);
  const jwt: JwtVerifier | undefined = verifier && { verify: async (token) => (await verifier).verify(token) };
  const keys = new StateKeyDirectory<R>({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin: options.admin,
    topic: options.accessStateTopic,
    clientId: options.clientId,
    ...(options.security ? { security: options.security } : {}),
    keysOf: (streamId, state) => options.keysOf(streamId, state),
  });
  const limits = rateLimits({
    redis: options.redis,
    keyPrefix: `${env.VERITY_TOPIC_PREFIX}:rate-limit`,
    metrics: options.metrics,
    ...rateLimitSettings(env),
  });
  const guard = createGuard(
    limits,
    createAuthenticator({ keys, metrics: options.metrics, logger: options.logger, ...(jwt ? { jwt } : {}) }),
  );
  const metricsGuard = chain(env.VERITY_METRICS_OPEN ? [] : [guard, requireMetricsReader]);
  return {
    guard,
    metricsGuard,
    keys,
    check: () => ({ name: 'api-keys', status: keys.isReady() ? 'up' : 'down' }),
    async start() {
      await verifier;
      await keys.start();
    },
    stop: () => keys.stop(),
  };
}
