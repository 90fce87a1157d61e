import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionError } from '@verity/core';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { CredentialError } from './credential-error';
import { createJwtVerifier, type JwtVerifier } from './jwt';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'verity';
const SECRET = 'a-local-secret-of-at-least-32-characters';
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'alice',
  tenant: 'acme',
  roles: ['writer:inventory', 'reader'],
  exp: now() + 300,
  ...extra,
});
const hs256 = (payload: JWTPayload, secret = SECRET) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

/** The reason of the CredentialError a token is refused with. */
async function refusal(verifier: JwtVerifier, token: string): Promise<string> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialError);
  return (error as CredentialError).reason;
}

describe('JWT verification with an HS256 secret', () => {
  let verifier: JwtVerifier;
  beforeAll(async () => {
    verifier = await createJwtVerifier({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
  });

  it('gives the principal of a good token', async () => {
    expect(await verifier.verify(await hs256(claims()))).toEqual({
      kind: 'jwt',
      subject: 'alice',
      tenant: 'acme',
      grants: [{ role: 'writer', context: 'inventory' }, { role: 'reader' }],
      permissions: new Set(),
    });
  });

  it('reads roles given as a space-separated string', async () => {
    const p = await verifier.verify(await hs256(claims({ roles: 'admin act-as' })));
    expect(p.grants).toEqual([{ role: 'admin' }]);
    expect([...p.permissions]).toEqual(['act-as']);
  });

  it('tolerates the clock skew on exp and nbf, not more', async () => {
    await expect(verifier.verify(await hs256(claims({ exp: now() - 10, nbf: now() + 10 })))).resolves.toBeDefined();
    expect(await refusal(verifier, await hs256(claims({ exp: now() - 60 })))).toBe('expired');
    expect(await refusal(verifier, await hs256(claims({ nbf: now() + 60 })))).toBe('not_yet_valid');
  });

  it('remembers a verified token until it expires, skew included', async () => {
    let clock = Date.now();
    const remembering = await createJwtVerifier({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => clock,
    });
    const exp = now() + 60;
    const token = await hs256(claims({ exp }));
    const first = await remembering.verify(token);
    expect(await remembering.verify(token)).toBe(first);
    clock = exp * 1000 + 29_000;
    expect(await remembering.verify(token)).toBe(first);
    clock = exp * 1000 + 30_000;
    expect(await refusal(remembering, token)).toBe('expired');
    const [header, payload, signature] = token.split('.');
    const tampered = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('A') ? 'B' : 'A'}A`;
    expect(await refusal(remembering, tampered)).toBe('bad_signature');
  });

  it('refuses another issuer or audience', async () => {
    expect(await refusal(verifier, await hs256(claims({ iss: 'https://evil.test' })))).toBe('wrong_issuer');
    expect(await refusal(verifier, await hs256(claims({ aud: 'another-api' })))).toBe('wrong_audience');
  });

  it('refuses a tampered token or another secret', async () => {
    const [header, , signature] = (await hs256(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ tenant: 'globex' }))).toString('base64url');
    expect(await refusal(verifier, `${header}.${forged}.${signature}`)).toBe('bad_signature');
    expect(await refusal(verifier, await hs256(claims(), 'another-secret-of-at-least-32-characters'))).toBe(
      'bad_signature',
    );
  });

  it('refuses an unsigned token and garbage', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims())).toString('base64url');
    expect(await refusal(verifier, `${header}.${body}.`)).toBe('wrong_algorithm');
    expect(await refusal(verifier, 'not-a-jwt')).toBe('malformed_credential');
  });

  it('names each missing or wrong claim', async () => {
    expect(await refusal(verifier, await hs256(claims({ exp: undefined })))).toBe('missing_claim');
    expect(await refusal(verifier, await hs256(claims({ tenant: undefined })))).toBe('missing_claim');
    expect(await refusal(verifier, await hs256(claims({ sub: undefined })))).toBe('missing_claim');
    expect(await refusal(verifier, await hs256(claims({ roles: undefined })))).toBe('missing_claim');
    expect(await refusal(verifier, await hs256(claims({ tenant: 'Not A Tenant' })))).toBe('invalid_claim');
    expect(await refusal(verifier, await hs256(claims({ roles: [1] })))).toBe('invalid_claim');
    expect(await refusal(verifier, await hs256(claims({ roles: ['owner'] })))).toBe('invalid_role');
  });

  it('reads configured claim names', async () => {
    const custom = await createJwtVerifier({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      claims: { tenant: 'https://verity/tenant', roles: 'scope', subject: 'client_id' },
    });
    const token = await hs256({
      ...claims({ sub: undefined, tenant: undefined, roles: undefined }),
      'https://verity/tenant': 'globex',
      scope: 'reader',
      client_id: 'erp-connector',
    });
    expect(await custom.verify(token)).toMatchObject({ subject: 'erp-connector', tenant: 'globex' });
  });
});

describe('JWT verification with a PEM public key', () => {
  it.each(['RS256', 'ES256'] as const)('verifies %s and refuses another algorithm', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const verifier = await createJwtVerifier({
      publicKey: await exportSPKI(publicKey),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const token = await new SignJWT(claims()).setProtectedHeader({ alg }).sign(privateKey);
    expect((await verifier.verify(token)).subject).toBe('alice');
    // An HS256 token "signed" with the public key's text: the classic algorithm confusion.
    expect(await refusal(verifier, await hs256(claims(), await exportSPKI(publicKey)))).toBe('wrong_algorithm');
  });
});

describe('JWT verification against a JWKS URL', () => {
  let server: Server;
  let url: string;
  let jwks: { keys: object[] } = { keys: [] };
  let up = true;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      if (!up) return res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('verifies by kid, refuses an unknown kid, and reports a key set it cannot fetch', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
    const verifier = await createJwtVerifier({ jwksUrl: url, issuer: ISSUER, audience: AUDIENCE });
    const sign = (kid: string) => new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
    expect((await verifier.verify(await sign('k1'))).tenant).toBe('acme');
    expect(await refusal(verifier, await sign('k2'))).toBe('unknown_signing_key');

    up = false;
    const cold = await createJwtVerifier({ jwksUrl: url, issuer: ISSUER, audience: AUDIENCE });
    expect(await refusal(cold, await sign('k1'))).toBe('signing_keys_unavailable');
  });
});

describe('JWT verifier options', () => {
  it('fails fast on a wrong setup', async () => {
    await expect(createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(
      createJwtVerifier({ secret: SECRET, jwksUrl: 'http://x', issuer: ISSUER, audience: AUDIENCE }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(createJwtVerifier({ secret: 'short', issuer: ISSUER, audience: AUDIENCE })).rejects.toThrow(
      /32 characters/,
    );
    await expect(createJwtVerifier({ secret: SECRET, issuer: '', audience: AUDIENCE })).rejects.toThrow(/issuer/);
    await expect(createJwtVerifier({ publicKey: 'nope', issuer: ISSUER, audience: AUDIENCE })).rejects.toThrow(
      /publicKey/,
    );
  });
});
