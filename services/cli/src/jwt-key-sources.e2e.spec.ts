import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { mintToken, SANDBOX_AUDIENCE, SANDBOX_ISSUER } from './sandbox-credentials';
import { createService, type NamedService } from './services';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

/** Claims named as an identity provider might name them, set through VERITY_AUTH_*_CLAIM. */
const CLAIMS = {
  VERITY_AUTH_TENANT_CLAIM: 'https://verity.example/tenant',
  VERITY_AUTH_ROLES_CLAIM: 'groups',
  VERITY_AUTH_SUBJECT_CLAIM: 'email',
};

const sign = (key: CryptoKey, alg: string, groups: string[], kid?: string) =>
  new SignJWT({ 'https://verity.example/tenant': 'acme', groups, email: 'ops@acme.example' })
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setIssuer(SANDBOX_ISSUER)
    .setAudience(SANDBOX_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);

/**
 * The key sources other than the sandbox's HS256 secret, on a running gateway: a JWKS URL (an
 * identity provider's key set, served here by the test) and a PEM public key, each with the
 * tenant, roles and subject read from configured claim names.
 */
describe('JWTs verified against a JWKS URL or a PEM public key by a running gateway', () => {
  let platform: TestPlatform;
  let jwksServer: Server;
  let pemGateway: NamedService;
  let urls: { jwks: string; pem: string };
  let keys: {
    idp: CryptoKey;
    stranger: CryptoKey;
    pem: CryptoKey;
  };

  const status = async (url: string, path: string, token: string, tenant = 'acme') => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, 'X-Tenant-Id': tenant } });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code };
  };

  beforeAll(async () => {
    const idp = await generateKeyPair('ES256', { extractable: true });
    const stranger = await generateKeyPair('ES256', { extractable: true });
    const pem = await generateKeyPair('RS256', { extractable: true });
    keys = { idp: idp.privateKey, stranger: stranger.privateKey, pem: pem.privateKey };
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256' }] });
    jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;

    platform = await startTestPlatform(['gateway'], {
      env: { ...CLAIMS, VERITY_AUTH_JWT_SECRET: undefined, VERITY_AUTH_JWKS_URL: jwksUrl },
    });
    pemGateway = createService('gateway', {
      ...platform.env,
      VERITY_AUTH_JWKS_URL: undefined,
      VERITY_AUTH_JWT_PUBLIC_KEY: await exportSPKI(pem.publicKey),
    });
    urls = { jwks: platform.urls.gateway!, pem: (await pemGateway.start()).url };
  });
  afterAll(async () => {
    await pemGateway?.stop();
    await platform?.stop();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it('JWKS: a token of the key set passes, with the tenant and roles of the configured claims', async () => {
    const reader = await sign(keys.idp, 'ES256', ['reader'], 'idp-1');
    expect(await status(urls.jwks, '/v1/commands/no-such-command', reader)).toEqual({
      status: 404,
      code: 'unknown_command',
    });
    // The tenant came from the configured claim: naming another is refused.
    expect(await status(urls.jwks, '/v1/commands/no-such-command', reader, 'globex')).toEqual({
      status: 403,
      code: 'foreign_tenant',
    });
    // The roles too: `groups` says reader, not admin; then admin.
    expect(await status(urls.jwks, '/v1/admin/api-keys', reader)).toEqual({
      status: 403,
      code: 'insufficient_permission',
    });
    expect(
      (await status(urls.jwks, '/v1/admin/api-keys', await sign(keys.idp, 'ES256', ['admin'], 'idp-1'))).status,
    ).toBe(200);
  });

  it('JWKS: another key under the same kid, an unknown kid, or an HS256 token are 401', async () => {
    for (const token of [
      await sign(keys.stranger, 'ES256', ['admin'], 'idp-1'),
      await sign(keys.idp, 'ES256', ['admin'], 'idp-2'),
      await mintToken({ ...platform.env, VERITY_AUTH_JWT_SECRET: 'a-secret-of-at-least-thirty-two-characters' }),
    ])
      expect(await status(urls.jwks, '/v1/commands/no-such-command', token)).toEqual({
        status: 401,
        code: 'invalid_credential',
      });
  });

  it('PEM: a token of the key passes; another key or algorithm is 401', async () => {
    expect(await status(urls.pem, '/v1/commands/no-such-command', await sign(keys.pem, 'RS256', ['reader']))).toEqual({
      status: 404,
      code: 'unknown_command',
    });
    for (const token of [
      await sign(keys.idp, 'ES256', ['reader'], 'idp-1'),
      await sign((await generateKeyPair('RS256')).privateKey, 'RS256', ['reader']),
    ])
      expect(await status(urls.pem, '/v1/commands/no-such-command', token)).toEqual({
        status: 401,
        code: 'invalid_credential',
      });
  });
});
