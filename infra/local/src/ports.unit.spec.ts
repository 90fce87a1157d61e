import { defaultEndpoints, ports } from './ports';

describe('ports', () => {
  it('never collide with the system PostgreSQL and Redis', () => {
    expect(ports.postgres).not.toBe(5432);
    expect(ports.redis).not.toBe(6379);
  });

  it('are all distinct', () => {
    const values = Object.values(ports);
    expect(new Set(values).size).toBe(values.length);
  });

  it('build the default endpoints', () => {
    expect(defaultEndpoints).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      kafkaConnectUrl: 'http://127.0.0.1:8083',
      postgresUrl: 'postgres://verity:verity@127.0.0.1:5442/verity',
      redisUrl: 'redis://127.0.0.1:6380',
    });
  });
});
