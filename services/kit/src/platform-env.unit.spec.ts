import { InvalidConfigurationError, parseEnv, platformEnvSchema, readModelEnvSchema } from './platform-env';

describe('platform environment', () => {
  it('defaults to the local stack', () => {
    expect(parseEnv(platformEnvSchema.extend(readModelEnvSchema.shape), {})).toEqual({
      VERITY_KAFKA_BROKERS: ['localhost:9092'],
      VERITY_SCHEMA_REGISTRY_URL: 'http://localhost:8081/apis/ccompat/v7',
      VERITY_TOPIC_PREFIX: 'verity',
      VERITY_PARTITIONS: 3,
      VERITY_REPLICATION_FACTOR: 1,
      VERITY_LOG_LEVEL: 'info',
      VERITY_OUTCOME_RETENTION_MS: 7 * 24 * 3_600_000,
      VERITY_HTTP_MAX_HEADER_BYTES: 16 * 1024,
      VERITY_HTTP_REQUEST_TIMEOUT_MS: 30_000,
      VERITY_HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      VERITY_KAFKA_SSL: false,
      VERITY_DATABASE_URL: 'postgres://verity:verity@127.0.0.1:5442/verity',
      VERITY_DB_SCHEMA: 'verity',
      VERITY_REDIS_URL: 'redis://127.0.0.1:6380',
    });
  });

  it('splits and checks the broker list', () => {
    expect(parseEnv(platformEnvSchema, { VERITY_KAFKA_BROKERS: 'a:1, b:2' }).VERITY_KAFKA_BROKERS).toEqual([
      'a:1',
      'b:2',
    ]);
  });

  it('names every wrong variable at once', () => {
    let error: unknown;
    try {
      parseEnv(platformEnvSchema, {
        VERITY_KAFKA_BROKERS: 'nohostport',
        VERITY_PARTITIONS: 'many',
        VERITY_SCHEMA_REGISTRY_URL: 'not a url',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('VERITY_KAFKA_BROKERS');
    expect(message).toContain('VERITY_PARTITIONS');
    expect(message).toContain('VERITY_SCHEMA_REGISTRY_URL');
  });
});
