import {
  contextTopics,
  createCommandProcessor,
  processorGroupId,
  repliesTopic,
  type CommandProcessor,
} from '@verity/events';
import {
  checkKafka,
  checkSchemaRegistry,
  createHttpApp,
  createPlatform,
  listen,
  type RunningServer,
} from '@verity/service-kit';
import { contexts } from '@verity/domain';
import type { CommandProcessorEnv } from './env';

export interface CommandProcessorService {
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** One processor per context in this process, plus its /health, /ready and /metrics. */
export function createCommandProcessorService(env: CommandProcessorEnv): CommandProcessorService {
  const platform = createPlatform('command-processor', env);
  const processors: CommandProcessor[] = contexts.map((context) =>
    createCommandProcessor({
      kafka: platform.kafka,
      rdkafka: platform.rdkafka,
      serde: platform.serde,
      context,
      topicsOf: (name) => contextTopics(name, env.VERITY_TOPIC_PREFIX),
      repliesTopic: repliesTopic(env.VERITY_TOPIC_PREFIX),
      logger: platform.logger,
      metrics: platform.metrics,
      partitions: env.VERITY_PARTITIONS,
      replicationFactor: env.VERITY_REPLICATION_FACTOR,
      groupId: processorGroupId(context.name, env.VERITY_TOPIC_PREFIX),
      timerIntervalMs: env.VERITY_TIMER_INTERVAL_MS,
      instanceId: env.VERITY_INSTANCE_ID,
      brokers: env.VERITY_KAFKA_BROKERS,
      ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
      stateDir: env.VERITY_STATE_DIR,
      stateCacheBytes: env.VERITY_STATE_CACHE_MB * 2 ** 20,
      outcomeWindowMs: env.VERITY_OUTCOME_RETENTION_MS,
    }),
  );
  const app = createHttpApp(
    {
      service: 'command-processor',
      logger: platform.logger,
      metrics: platform.metrics,
      readiness: async () => [
        await checkKafka(platform.kafka),
        await checkSchemaRegistry(env.VERITY_SCHEMA_REGISTRY_URL),
        ...contexts.map((c, i) => ({
          name: `processor:${c.name}`,
          status: processors[i]!.isReady() ? ('up' as const) : ('down' as const),
        })),
      ],
    },
    () => undefined,
  );
  let server: RunningServer | undefined;

  return {
    async start() {
      for (const processor of processors) await processor.start();
      server = await listen(app, env.VERITY_COMMAND_PROCESSOR_PORT, env);
      platform.logger.info({ url: server.url }, 'command-processor listening');
      return server;
    },
    async stop() {
      await server?.close();
      await Promise.all(processors.map((p) => p.stop()));
    },
  };
}
