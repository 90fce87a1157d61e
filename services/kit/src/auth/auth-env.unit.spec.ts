import { InvalidConfigurationError } from '../config-error';
import { parseEnv } from '../platform-env';
import { authEnvSchema, jwtVerifierOptions, rateLimitSettings } from './auth-env';

const PEM = '-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----';

function problemsOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidConfigurationError');
}

describe('auth environment', () => {
  it('defaults to API keys only and the default limits', () => {
    const env = parseEnv(authEnvSchema, {});
    expect(jwtVerifierOptions(env)).toBeUndefined();
    expect(rateLimitSettings(env)).toEqual({
      perRole: { reader: 1000, writer: 500, admin: 100 },
      perAddress: 2000,
      windowS: 1,
    });
  });

  it('builds the JWT options from one key source, reading \\n escapes in a PEM', () => {
    const env = parseEnv(authEnvSchema, {
      VERITY_AUTH_JWT_PUBLIC_KEY: PEM,
      VERITY_AUTH_ISSUER: 'https://idp.test',
      VERITY_AUTH_AUDIENCE: 'verity',
      VERITY_AUTH_CLOCK_SKEW_S: '5',
      VERITY_AUTH_TENANT_CLAIM: 'https://verity/tenant',
      VERITY_RATE_LIMIT_READER: '7',
    });
    expect(jwtVerifierOptions(env)).toEqual({
      publicKey: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
      issuer: 'https://idp.test',
      audience: 'verity',
      clockSkewS: 5,
      claims: { tenant: 'https://verity/tenant', roles: 'roles', subject: 'sub' },
    });
    expect(rateLimitSettings(env).perRole.reader).toBe(7);
  });

  it('names every wrong variable at once', () => {
    const message = problemsOf(() =>
      parseEnv(authEnvSchema, {
        VERITY_AUTH_JWKS_URL: 'not a url',
        VERITY_AUTH_JWT_SECRET: 'short',
        VERITY_AUTH_JWT_PUBLIC_KEY: 'not a pem',
        VERITY_AUTH_CLOCK_SKEW_S: '-1',
        VERITY_RATE_LIMIT_ADDRESS: '0',
      }),
    );
    for (const name of [
      'VERITY_AUTH_JWKS_URL',
      'VERITY_AUTH_JWT_SECRET',
      'VERITY_AUTH_JWT_PUBLIC_KEY',
      'VERITY_AUTH_CLOCK_SKEW_S',
      'VERITY_RATE_LIMIT_ADDRESS',
    ])
      expect(message).toContain(name);
  });

  it('refuses two key sources, or one without issuer and audience', () => {
    const env = parseEnv(authEnvSchema, {
      VERITY_AUTH_JWKS_URL: 'https://idp.test/jwks.json',
      VERITY_AUTH_JWT_SECRET: 'a-local-secret-of-at-least-32-characters',
    });
    const message = problemsOf(() => jwtVerifierOptions(env));
    expect(message).toContain('VERITY_AUTH_JWKS_URL, VERITY_AUTH_JWT_SECRET: set only one JWT key source');
    expect(message).toContain('VERITY_AUTH_ISSUER');
    expect(message).toContain('VERITY_AUTH_AUDIENCE');
  });
});
