import { randomUUID } from 'node:crypto';
import {
  createCommandIntake,
  createDeadLetters,
  deadLettersTopicSpec,
  ingestorDeadLettersTopic,
  syncMetrics,
} from '@verity/connector-intake';
import { credentialSchema, type CircuitState, type PollerConfig } from '@verity/connector-poller';
import { openText, secretsKeyOf } from '@verity/core';
import { apiKeysOf, contexts, type ApiKeyView } from '@verity/domain';
import {
  contextTopicConfigs,
  contextTopics,
  createCommandProducer,
  ensureTopics,
  sharedCounter,
  sharedGauge,
} from '@verity/events';
import { Histogram } from 'prom-client';
import {
  checkKafka,
  createHttpApp,
  createPlatform,
  createRequestAuth,
  listen,
  probe,
  rateLimitRedis,
  type RunningServer,
} from '@verity/service-kit';
import { Pool } from 'pg';
import { checkDrift } from './drift-check';
import type { PollerEnv } from './env';
import { migratePoller } from './migrations';
import { pollKind } from './poll';
import { mountPollerRoutes } from './routes';
import { PollScheduler } from './scheduler';
import type { SourceClientOptions } from './source-client';
import { PollerStore, type StoredSource } from './store';

export interface PollerService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Polls the sources tenants configured, on their intervals, and appends their changed records
 * as commands; serves the configuration routes and the full comparison (drift).
 */
export function createPollerService(env: PollerEnv): PollerService {
  const platform = createPlatform('poller', env);
  const { logger, kafka, metrics } = platform;
  const schema = env.VERITY_DB_SCHEMA;
  const db = new Pool({ connectionString: env.VERITY_DATABASE_URL, max: 10 });
  db.on('error', (error) => logger.warn({ err: error }, 'postgres connection lost'));
  const store = new PollerStore(db, schema);
  const secretsKey = secretsKeyOf(env.VERITY_SECRETS_KEY);
  const admin = kafka.admin();
  const producer = createCommandProducer(platform.rdkafka);
  const deadLettersTopic = ingestorDeadLettersTopic('poller', env.VERITY_TOPIC_PREFIX);
  const redis = rateLimitRedis(env.VERITY_REDIS_URL, logger);
  const auth = createRequestAuth<ApiKeyView>({
    env,
    admin,
    accessStateTopic: contextTopics('access', env.VERITY_TOPIC_PREFIX).state,
    keysOf: apiKeysOf,
    redis,
    metrics,
    logger,
    clientId: `${env.VERITY_TOPIC_PREFIX}.poller.api-keys.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  const sync = syncMetrics(metrics);
  const requests = sharedCounter(metrics, {
    name: 'verity_poller_requests_total',
    help: "Requests to sources by the source's answer (`network` when none came)",
    labelNames: ['tenant', 'source', 'status'],
  });
  const retries = sharedCounter(metrics, {
    name: 'verity_poller_retries_total',
    help: 'Requests to sources retried after a failure or a rate limit',
    labelNames: ['tenant', 'source'],
  });
  const polls = new Histogram({
    name: 'verity_poller_poll_duration_seconds',
    help: 'Polls of a source by outcome',
    labelNames: ['tenant', 'source', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [metrics],
  });
  const circuit = sharedGauge(metrics, {
    name: 'verity_poller_circuit_state',
    help: "A source's circuit on this instance: 0 closed, 1 half-open, 2 open",
    labelNames: ['tenant', 'source'],
  });
  const accuracy = sharedGauge(metrics, {
    name: 'verity_poller_sync_accuracy_ratio',
    help: "Records equal in the source and Verity's read model over all records, at the last full comparison",
    labelNames: ['tenant', 'source'],
  });

  const clientOf = (tenant: string, source: string): SourceClientOptions => ({
    backoff: {
      retries: env.VERITY_POLLER_RETRIES,
      baseMs: env.VERITY_POLLER_BACKOFF_BASE_MS,
      maxMs: env.VERITY_POLLER_BACKOFF_MAX_MS,
    },
    timeoutMs: env.VERITY_POLLER_REQUEST_TIMEOUT_MS,
    onResponse: (status) => requests.inc({ tenant, source, status: String(status) }),
    onRetry: ({ kind, attempt, waitMs, status }) => {
      retries.inc({ tenant, source });
      logger.info({ tenant, source, kind, attempt, waitMs, status }, 'source request retried');
    },
  });

  /** The configuration with its credential opened: held in memory for one poll only. */
  const configOf = (stored: StoredSource): PollerConfig => {
    const { credential: sealed, ...rest } = stored;
    const config = { ...rest, source: stored.source as PollerConfig['source'] };
    if (!sealed) return config;
    const credential = credentialSchema.parse(
      JSON.parse(openText(secretsKey, sealed, `${stored.tenant}/${stored.source}`)),
    );
    return { ...config, credential };
  };

  const intake = createCommandIntake({ producer, contexts, topicPrefix: env.VERITY_TOPIC_PREFIX });
  const deadLetters = createDeadLetters(producer, deadLettersTopic);
  const scheduler = new PollScheduler({
    store,
    db,
    schema,
    tickMs: env.VERITY_POLLER_TICK_MS,
    breaker: { threshold: env.VERITY_POLLER_BREAKER_THRESHOLD, cooldownMs: env.VERITY_POLLER_BREAKER_COOLDOWN_MS },
    logger,
    async poll(stored) {
      const config = configOf(stored);
      const deps = {
        store,
        intake,
        deadLetters,
        contexts,
        sync,
        client: clientOf(config.tenant, config.source),
        logger,
      };
      for (const kind of config.kinds) {
        const result = await pollKind(deps, config, kind);
        logger.info({ tenant: config.tenant, source: config.source, ...result }, 'polled');
      }
    },
    onCircuit: (s, state) => circuit.set({ tenant: s.tenant, source: s.source }, CIRCUIT_VALUE[state]),
    onPoll: (s, outcome, seconds) => polls.observe({ tenant: s.tenant, source: s.source, outcome }, seconds),
  });

  const app = createHttpApp(
    {
      service: 'poller',
      logger,
      metrics,
      metricsGuard: auth.metricsGuard,
      readiness: async () => [
        auth.check(),
        await checkKafka(kafka),
        await probe('postgres', () => db.query('SELECT 1')),
      ],
    },
    (app) =>
      mountPollerRoutes(app, {
        guard: auth.guard,
        store,
        secretsKey,
        now: () => new Date(),
        async drift(_tenant, stored) {
          const config = configOf(stored);
          const result = await checkDrift(db, schema, config, clientOf(config.tenant, config.source), new Date());
          accuracy.set({ tenant: config.tenant, source: config.source }, result.accuracy);
          logger.info({ tenant: config.tenant, source: config.source, accuracy: result.accuracy }, 'drift checked');
          return result;
        },
      }),
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      await migratePoller(db, schema);
      await admin.connect();
      await ensureTopics(
        admin,
        [
          ...contexts.flatMap((c) =>
            contextTopicConfigs(contextTopics(c.name, env.VERITY_TOPIC_PREFIX), env.VERITY_PARTITIONS),
          ),
          deadLettersTopicSpec(deadLettersTopic),
        ],
        env.VERITY_REPLICATION_FACTOR,
      );
      await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'rate-limit redis unavailable'));
      await auth.start();
      await producer.connect();
      scheduler.start();
      server = await listen(app, env.VERITY_POLLER_PORT, env);
      logger.info({ url: server.url }, 'poller listening');
      return server;
    },
    async stop() {
      await server?.close();
      await scheduler.stop();
      await auth.stop();
      redis.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      await db.end();
    },
  };
}
