import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  AvroSerde,
  SchemaCatalog,
  createKafka,
  createLogger,
  createRdKafka,
  type KafkaSecurity,
  type Logger,
  type RdKafka,
} from '@verity/events';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import type { PlatformEnv } from './platform-env';
import { kafkaSecurity } from './transport-env';

/** The clients every service builds from the same settings. */
export interface Platform {
  logger: Logger;
  kafka: Kafka;
  /** librdkafka's client, for the write path: transactions and the gateway's commands. */
  rdkafka: RdKafka;
  registry: SchemaRegistry;
  serde: AvroSerde;
  metrics: Registry;
  /** TLS and SASL of the Kafka cluster, for clients built outside the platform (partition readers). */
  kafkaSecurity: KafkaSecurity | undefined;
}

export function createPlatform(service: string, env: PlatformEnv): Platform {
  const logger = createLogger(service, env.VERITY_LOG_LEVEL);
  const security = kafkaSecurity(env);
  const clientId = `verity-${service}`;
  const kafka = createKafka({ brokers: env.VERITY_KAFKA_BROKERS, clientId, logger, security });
  const registry = new SchemaRegistry({ host: env.VERITY_SCHEMA_REGISTRY_URL, clientId });
  const serde = new AvroSerde(registry, SchemaCatalog.load());
  const rdkafka = createRdKafka({ brokers: env.VERITY_KAFKA_BROKERS, clientId, logger, security });
  return { logger, kafka, rdkafka, registry, serde, metrics: new Registry(), kafkaSecurity: security };
}
