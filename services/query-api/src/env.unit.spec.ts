import { parseEnv } from '@verity/service-kit';
import { queryApiEnvSchema } from './env';

describe('query-api environment', () => {
  it('listens on 8090 and reads the project PostgreSQL and Redis by default', () => {
    const env = parseEnv(queryApiEnvSchema, {});
    expect(env.VERITY_QUERY_API_PORT).toBe(8090);
    expect(env.VERITY_DATABASE_URL).toBe('postgres://verity:verity@127.0.0.1:5442/verity');
    expect(env.VERITY_REDIS_URL).toBe('redis://127.0.0.1:6380');
  });

  it('reads as verity_reader on the local stack by default, not as the owner', () => {
    expect(parseEnv(queryApiEnvSchema, {}).VERITY_QUERY_DATABASE_URL).toBe(
      'postgres://verity_reader:verity_reader@127.0.0.1:5442/verity',
    );
  });

  it('refuses a schema name that is not an identifier', () => {
    expect(() => parseEnv(queryApiEnvSchema, { VERITY_DB_SCHEMA: 'drop table;' })).toThrow(/VERITY_DB_SCHEMA/);
  });
});
