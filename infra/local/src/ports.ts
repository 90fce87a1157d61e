/**
 * Fixed host ports of the project's own stack. They differ from the system defaults of
 * PostgreSQL (5432) and Redis (6379) so the stack never touches the machine's services.
 * docker-compose.yml publishes the same ports (compose.unit.spec.ts keeps them equal).
 */
export const ports = {
  kafka: 9092,
  kafkaController: 9093,
  schemaRegistry: 8081,
  /** Apicurio serves /health and /metrics on a separate management port (its default 9000 is too common). */
  schemaRegistryManagement: 8082,
  kafkaConnect: 8083,
  postgres: 5442,
  redis: 6380,
} as const;

/** Loopback address every component binds to; IPv4 so `localhost` resolving to ::1 cannot miss it. */
export const host = '127.0.0.1';

export const defaultEndpoints = {
  kafkaBrokers: [`${host}:${ports.kafka}`],
  /** Apicurio's Confluent-compatible API: pass as `host` to @kafkajs/confluent-schema-registry. */
  schemaRegistryUrl: `http://${host}:${ports.schemaRegistry}/apis/ccompat/v7`,
  kafkaConnectUrl: `http://${host}:${ports.kafkaConnect}`,
  postgresUrl: `postgres://verity:verity@${host}:${ports.postgres}/verity`,
  redisUrl: `redis://${host}:${ports.redis}`,
};
