import { randomBytes } from 'node:crypto';
import { parseEnv } from '@verity/service-kit';
import { pollerEnvSchema } from './env';

const KEY = Buffer.alloc(32, 1).toString('base64');

describe('pollerEnvSchema', () => {
  it('defaults to port 8095 and a five-retry backoff', () => {
    const env = parseEnv(pollerEnvSchema, { VERITY_SECRETS_KEY: KEY });
    expect(env.VERITY_POLLER_PORT).toBe(8095);
    expect(env.VERITY_POLLER_RETRIES).toBe(5);
    expect(env.VERITY_SECRETS_KEY).toBe(KEY);
  });

  it('needs the key credentials are sealed under, as the webhook-ingestor does, naming it', () => {
    expect(() => parseEnv(pollerEnvSchema, {})).toThrow(
      /VERITY_SECRETS_KEY: required: the base64 of 32 bytes \(openssl rand -base64 32\)/,
    );
  });

  it('names every wrong variable, and never echoes the secrets key', () => {
    const key = randomBytes(16).toString('base64');
    let message = '';
    try {
      parseEnv(pollerEnvSchema, { VERITY_SECRETS_KEY: key, VERITY_POLLER_TICK_MS: '10' });
    } catch (error) {
      message = String((error as Error).message);
    }
    expect(message).toMatch(/VERITY_SECRETS_KEY/);
    expect(message).toMatch(/VERITY_POLLER_TICK_MS/);
    expect(message).not.toContain(key);
  });
});
