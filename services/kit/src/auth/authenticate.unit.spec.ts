import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import pino from 'pino';
import { Registry } from 'prom-client';
import { problemMiddleware } from '../problem';
import { createApiKeyCheck } from './api-key-check';
import { hashSecret, newApiKey, verifySecret, type SecretHash } from './api-key';
import { createAuthenticator } from './authenticate';
import { createGuard } from './guard';
import { rateLimits } from './rate-limit';
import { createJwtVerifier } from './jwt';
import type { ApiKeyRecord, KeyDirectory } from './key-directory';
import { actorOf, requirePermission, tenantOf } from './request-principal';

const SECRET = 'a-local-secret-of-at-least-32-characters';

/** The directory the access context keeps, reduced to a map a test changes at will. */
class MapDirectory implements KeyDirectory {
  readonly records = new Map<string, ApiKeyRecord>();
  ready = true;
  lookup(keyId: string) {
    return this.records.get(keyId);
  }
  isReady() {
    return this.ready;
  }
}

describe("the guard's credential check", () => {
  let server: Server;
  let base: string;
  const keys = new MapDirectory();
  const metrics = new Registry();
  const logLines: string[] = [];
  let clock = Date.parse('2026-06-01T00:00:00Z');
  const unconnected = new Redis({ lazyConnect: true });

  const issue = async (roles: string[], extra: Partial<ApiKeyRecord> = {}) => {
    const { keyId, secret, key } = newApiKey();
    keys.records.set(keyId, { keyId, tenant: 'acme', roles, hash: await hashSecret(secret), ...extra });
    return { keyId, key };
  };
  const jwt = (payload: Record<string, unknown>) =>
    new SignJWT({
      iss: 'https://idp.test',
      aud: 'verity',
      sub: 'alice',
      tenant: 'acme',
      roles: ['reader'],
      exp: Math.floor(Date.now() / 1000) + 300,
      ...payload,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const failures = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await metrics.getSingleMetric('verity_auth_failures_total')!.get()).values.map((v) => [
        String(v.labels.reason),
        v.value,
      ]),
    );

  beforeAll(async () => {
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    const app = express();
    app.use(
      createGuard(
        // Limits in this process's memory: the client never connects (the Redis suites cover them).
        rateLimits({ redis: unconnected, metrics }),
        createAuthenticator({
          jwt: await createJwtVerifier({ secret: SECRET, issuer: 'https://idp.test', audience: 'verity' }),
          keys,
          metrics,
          logger,
          now: () => clock,
          keyCacheSize: 2,
        }),
      ),
    );
    app.get('/whoami', (req, res) => {
      res.json({
        ...req.principal,
        permissions: [...req.principal!.permissions],
        tenant: tenantOf(req),
        ...actorOf(req),
      });
    });
    app.post('/v1/inventory', requirePermission('write', 'inventory'), (_req, res) => {
      res.status(201).end();
    });
    app.use(problemMiddleware(logger));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    unconnected.disconnect();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers 401 with WWW-Authenticate without a credential', async () => {
    const res = await get('/whoami');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="verity"');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, code: 'unauthenticated', instance: '/whoami' });
    expect((await failures()).missing_credential).toBeGreaterThanOrEqual(1);
  });

  it('sets the principal of a JWT, and refuses an expired one as invalid_token', async () => {
    const ok = await get('/whoami', { authorization: `Bearer ${await jwt({})}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ kind: 'jwt', subject: 'alice', tenant: 'acme', actor: 'alice' });

    const expired = await get('/whoami', { authorization: `Bearer ${await jwt({ exp: 1_000_000 })}` });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(
      'Bearer realm="verity", error="invalid_token", error_description="the credential has expired"',
    );
    expect(await expired.json()).toMatchObject({ code: 'invalid_credential' });
    expect((await failures()).expired).toBe(1);
  });

  it('accepts an API key as a Bearer token or X-Api-Key, and never logs it', async () => {
    const { keyId, key } = await issue(['writer']);
    for (const headers of [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }] as Record<string, string>[]) {
      const res = await get('/whoami', headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        kind: 'api-key',
        subject: keyId,
        tenant: 'acme',
        grants: [{ role: 'writer' }],
      });
    }
    expect((await get('/whoami', { authorization: `Bearer ${key}x` })).status).toBe(401);
    expect(logLines.join('')).not.toContain(key.slice(3));
  });

  it('refuses a revoked or expired key at the next request, cache or not', async () => {
    const { keyId, key } = await issue(['reader']);
    expect((await get('/whoami', { 'x-api-key': key })).status).toBe(200);
    keys.records.set(keyId, { ...keys.records.get(keyId)!, revokedAt: new Date(clock).toISOString() });
    expect((await get('/whoami', { 'x-api-key': key })).status).toBe(401);

    const later = await issue(['reader'], { expiresAt: new Date(clock + 60_000).toISOString() });
    expect((await get('/whoami', { 'x-api-key': later.key })).status).toBe(200);
    clock += 60_000;
    expect((await get('/whoami', { 'x-api-key': later.key })).status).toBe(401);
    // A time that does not parse fails closed.
    keys.records.set(later.keyId, { ...keys.records.get(later.keyId)!, expiresAt: 'someday' });
    expect((await get('/whoami', { 'x-api-key': later.key })).status).toBe(401);
    const reasons = await failures();
    expect(reasons.revoked_key).toBe(1);
    expect(reasons.expired_key).toBe(2);
  });

  it('answers 503 while the directory loads and the key is not known yet', async () => {
    keys.ready = false;
    const res = await get('/whoami', { 'x-api-key': newApiKey().key });
    keys.ready = true;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await get('/whoami', { 'x-api-key': newApiKey().key })).status).toBe(401);
  });

  it('refuses ambiguous or foreign schemes', async () => {
    const { key } = await issue(['reader']);
    expect((await get('/whoami', { authorization: `Bearer ${key}`, 'x-api-key': key })).status).toBe(401);
    expect((await get('/whoami', { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' })).status).toBe(401);
    expect((await get('/whoami', { authorization: 'Bearer' })).status).toBe(401);
  });

  it('binds the tenant to the credential; only a platform operator acts for another', async () => {
    const { key } = await issue(['reader']);
    expect((await get('/whoami', { 'x-api-key': key, 'x-tenant-id': 'acme' })).status).toBe(200);
    const foreign = await get('/whoami', { 'x-api-key': key, 'x-tenant-id': 'globex' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'foreign_tenant' });
    const operator = await issue(['reader', 'platform-operator']);
    const res = await get('/whoami', { 'x-api-key': operator.key, 'x-tenant-id': 'globex' });
    expect(await res.json()).toMatchObject({ tenant: 'globex', actor: operator.keyId });
  });

  it('honours X-Actor for act-as credentials only, recording both', async () => {
    const plain = await issue(['writer']);
    expect(await (await get('/whoami', { 'x-api-key': plain.key, 'x-actor': 'bob' })).json()).not.toHaveProperty(
      'onBehalfOf',
    );
    const connector = await issue(['writer', 'act-as']);
    expect(await (await get('/whoami', { 'x-api-key': connector.key, 'x-actor': 'erp:bob' })).json()).toMatchObject({
      actor: connector.keyId,
      onBehalfOf: 'erp:bob',
    });
  });

  it('answers 403 naming the missing permission', async () => {
    const reader = await issue(['reader', 'writer:catalog']);
    const res = await fetch(`${base}/v1/inventory`, { method: 'POST', headers: { 'x-api-key': reader.key } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'insufficient_permission',
      detail: 'missing permission writer:inventory',
      missingPermission: 'writer:inventory',
    });
    const writer = await issue(['writer:inventory']);
    expect((await fetch(`${base}/v1/inventory`, { method: 'POST', headers: { 'x-api-key': writer.key } })).status).toBe(
      201,
    );
  });
});

describe('the verified-key cache', () => {
  it('spares scrypt for a known key, and verifies again when the record changes or is evicted', async () => {
    const keys = new MapDirectory();
    let calls = 0;
    const verify = (secret: string, hash: SecretHash) => {
      calls += 1;
      return verifySecret(secret, hash);
    };
    const check = createApiKeyCheck({ keys, verify, cacheSize: 1 });
    const a = newApiKey();
    const b = newApiKey();
    for (const k of [a, b])
      keys.records.set(k.keyId, { keyId: k.keyId, tenant: 'acme', roles: [], hash: await hashSecret(k.secret) });

    await check(a.key);
    await check(a.key);
    expect(calls).toBe(1);
    keys.records.set(a.keyId, { ...keys.records.get(a.keyId)!, name: 'renamed' });
    await check(a.key);
    expect(calls).toBe(2);
    await check(b.key); // evicts a
    await check(a.key);
    expect(calls).toBe(4);

    const c = newApiKey();
    keys.records.set(c.keyId, { keyId: c.keyId, tenant: 'acme', roles: [], hash: await hashSecret(c.secret) });
    await Promise.all([1, 2, 3, 4, 5].map(() => check(c.key)));
    expect(calls).toBe(5);
    const wrong = `${c.key.slice(0, -1)}${c.key.endsWith('A') ? 'B' : 'A'}`;
    await expect(check(wrong)).rejects.toMatchObject({ reason: 'wrong_secret' });
  });
});
