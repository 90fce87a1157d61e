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

  it('reads outcomes from the read models of the local stack, kept 7 days, and counts limits in its Redis', () => {
    const env = parseEnv(gatewayEnvSchema, {});
    expect(env).toMatchObject({
      VERITY_DATABASE_URL: 'postgres://verity:verity@127.0.0.1:5442/verity',
      VERITY_DB_SCHEMA: 'verity',
      VERITY_OUTCOME_RETENTION_MS: 7 * 24 * 3_600_000,
    });
    expect(env.VERITY_REDIS_URL).toBe('redis://127.0.0.1:6380');
  });

  it('takes the credential and rate-limit settings: API keys only, unless a JWT key source is set', () => {
    const env = parseEnv(gatewayEnvSchema, { VERITY_RATE_LIMIT_WRITER: '50' });
    expect(env).toMatchObject({ VERITY_RATE_LIMIT_WRITER: 50, VERITY_AUTH_TENANT_CLAIM: 'tenant' });
    expect(env.VERITY_AUTH_JWT_SECRET).toBeUndefined();
    expect(() => parseEnv(gatewayEnvSchema, { VERITY_AUTH_JWT_SECRET: 'short' })).toThrow(/VERITY_AUTH_JWT_SECRET/);
  });

  it('refuses a schema that is not a PostgreSQL identifier', () => {
    expect(() => parseEnv(gatewayEnvSchema, { VERITY_DB_SCHEMA: 'Bad-Schema' })).toThrow(/VERITY_DB_SCHEMA/);
  });
});
