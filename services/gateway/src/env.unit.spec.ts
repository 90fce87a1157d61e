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
});
