import { parseEnv, InvalidConfigurationError } from '@verity/service-kit';
import { webhookDispatcherEnvSchema } from './env';

const key = Buffer.alloc(32, 7).toString('base64');

describe('webhook dispatcher settings', () => {
  it('defaults to public HTTPS endpoints and retries over hours', () => {
    const env = parseEnv(webhookDispatcherEnvSchema, { VERITY_SECRETS_KEY: key });
    expect(env.VERITY_WEBHOOKS_ALLOW_PRIVATE).toBe(false);
    expect(env.VERITY_WEBHOOKS_ALLOW_HTTP).toBe(false);
    expect(env.VERITY_WEBHOOKS_MAX_ATTEMPTS).toBe(12);
    expect(env.VERITY_WEBHOOK_DISPATCHER_PORT).toBe(8096);
    expect(env.VERITY_WEBHOOKS_LEASE_MS).toBe(30_000);
    expect(env.VERITY_WEBHOOKS_FETCH_GATHER_MS).toBe(1000);
  });

  it('takes a fetch gather from none to 5 s', () => {
    const gather = (VERITY_WEBHOOKS_FETCH_GATHER_MS: string) =>
      parseEnv(webhookDispatcherEnvSchema, { VERITY_SECRETS_KEY: key, VERITY_WEBHOOKS_FETCH_GATHER_MS });
    expect(gather('0').VERITY_WEBHOOKS_FETCH_GATHER_MS).toBe(0);
    expect(gather('5000').VERITY_WEBHOOKS_FETCH_GATHER_MS).toBe(5000);
    expect(() => gather('5001')).toThrow(/VERITY_WEBHOOKS_FETCH_GATHER_MS/);
  });

  it('refuses a lane lease an attempt could outlast', () => {
    const lease = (VERITY_WEBHOOKS_LEASE_MS: string) =>
      parseEnv(webhookDispatcherEnvSchema, {
        VERITY_SECRETS_KEY: key,
        VERITY_WEBHOOKS_TIMEOUT_MS: '5000',
        VERITY_WEBHOOKS_LEASE_MS,
      });
    expect(lease('10001').VERITY_WEBHOOKS_LEASE_MS).toBe(10_001);
    expect(() => lease('10000')).toThrow(/VERITY_WEBHOOKS_LEASE_MS[\s\S]*twice VERITY_WEBHOOKS_TIMEOUT_MS/);
  });

  it('takes a local receiver when allowed, and names every bad variable', () => {
    const env = parseEnv(webhookDispatcherEnvSchema, {
      VERITY_SECRETS_KEY: key,
      VERITY_WEBHOOKS_ALLOW_PRIVATE: 'true',
      VERITY_WEBHOOKS_ALLOW_HTTP: '1',
    });
    expect([env.VERITY_WEBHOOKS_ALLOW_PRIVATE, env.VERITY_WEBHOOKS_ALLOW_HTTP]).toEqual([true, true]);
    const bad = () =>
      parseEnv(webhookDispatcherEnvSchema, { VERITY_WEBHOOKS_ALLOW_PRIVATE: 'yes', VERITY_WEBHOOKS_MAX_ATTEMPTS: '0' });
    expect(bad).toThrow(InvalidConfigurationError);
    expect(bad).toThrow(
      /VERITY_WEBHOOKS_ALLOW_PRIVATE[\s\S]*VERITY_WEBHOOKS_MAX_ATTEMPTS[\s\S]*VERITY_SECRETS_KEY|VERITY_SECRETS_KEY/,
    );
  });
});
