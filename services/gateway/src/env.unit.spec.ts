import { parseEnv } from '@verity/service-kit';
import { gatewayEnvSchema } from './env';

describe('gateway environment', () => {
  it('listens on 8080 and waits 5 s for a reply by default', () => {
    const env = parseEnv(gatewayEnvSchema, {});
    expect(env.VERITY_GATEWAY_PORT).toBe(8080);
    expect(env.VERITY_REPLY_TIMEOUT_MS).toBe(5000);
  });

  it('refuses a reply timeout that is not a positive number', () => {
    expect(() => parseEnv(gatewayEnvSchema, { VERITY_REPLY_TIMEOUT_MS: '0' })).toThrow(/VERITY_REPLY_TIMEOUT_MS/);
  });

  it('reads outcomes from the read models of the local stack, kept 7 days, by default', () => {
    const env = parseEnv(gatewayEnvSchema, {});
    expect(env).toMatchObject({
      VERITY_DATABASE_URL: 'postgres://verity:verity@127.0.0.1:5442/verity',
      VERITY_DB_SCHEMA: 'verity',
      VERITY_OUTCOME_RETENTION_MS: 7 * 24 * 3_600_000,
    });
    expect(env).not.toHaveProperty('VERITY_REDIS_URL');
  });

  it('refuses a schema that is not a PostgreSQL identifier', () => {
    expect(() => parseEnv(gatewayEnvSchema, { VERITY_DB_SCHEMA: 'Bad-Schema' })).toThrow(/VERITY_DB_SCHEMA/);
  });
});
