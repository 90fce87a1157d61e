import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { parseRoles } from './principal';
import type { Authenticator } from './authenticate';
import { CredentialError } from './credential-error';
import { createGuard } from './guard';
import { rateLimits, type RateLimitOptions } from './rate-limit';

// The project's own Redis, as `verity infra up` starts it.
const redis = new Redis('redis://127.0.0.1:6380');
const prefix = `t${randomUUID().slice(0, 8)}:rate-limit`;

/**
 * Stands for the credential check: the principal named by a test header, so the limits can be
 * driven per credential; `x-test-refuse` is a refused credential, no header a missing one.
 */
const testAuthenticator: Authenticator = {
  async principalOf(req) {
    if (req.get('x-test-refuse')) throw new CredentialError('unknown_key', 'refused by the test');
    const subject = req.get('x-test-subject');
    if (!subject) throw new CredentialError('missing_credential', 'no credential');
    return { kind: 'api-key', subject, tenant: 'acme', ...parseRoles([req.get('x-test-role')!]) };
  },
  refuse(_req, res) {
    res.status(401).end();
  },
};

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The guard of the services (guard.ts): the address's limit, the credential check, the credential's limit. */
async function serve(options: Omit<RateLimitOptions, 'metrics'>) {
  const metrics = new Registry();
  const app = express();
  app.use(createGuard(rateLimits({ ...options, metrics }), testAuthenticator));
  app.get('/x', (_req, res) => {
    res.json({ ok: true });
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = (headers: Record<string, string> = {}) => fetch(`${base}/x`, { headers });
  open.push(server);
  return { get, metrics };
}

const burst = async (get: () => Promise<Response>, n: number) => {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1) statuses.push((await get()).status);
  return statuses;
};

// Until the client is ready every bucket is held in memory: start connected.
beforeAll(() => redis.ping());

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('rate limits on the real Redis', () => {
  it('refuses a burst beyond the role limit with 429 and Retry-After, and passes once a token is back', async () => {
    const app = await serve({ redis, keyPrefix: `${prefix}:a`, perRole: { reader: 3 }, perAddress: 100, windowS: 2 });
    const reader = { 'x-test-subject': 'k-reader', 'x-test-role': 'reader' };
    const first = await app.get(reader);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    expect(await burst(() => app.get(reader), 3)).toEqual([200, 200, 429]);

    const refused = await app.get(reader);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(await refused.json()).toMatchObject({ status: 429, code: 'rate_limited', limit: 'credential' });
    // Another credential from the same address has its own budget.
    expect((await app.get({ 'x-test-subject': 'k-writer', 'x-test-role': 'writer' })).status).toBe(200);
    // The count is in Redis, under the test's prefix.
    expect(await redis.keys(`${prefix}:a:credential:reader*`)).not.toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await app.get(reader)).status).toBe(200);
    const counted = await app.metrics.getSingleMetric('verity_rate_limited_total')!.get();
    expect(counted.values).toEqual([expect.objectContaining({ labels: { scope: 'credential' }, value: 2 })]);
  });

  it('limits a client address across credentials and without one', async () => {
    const app = await serve({ redis, keyPrefix: `${prefix}:b`, perRole: { reader: 100 }, perAddress: 4, windowS: 5 });
    const statuses = [
      ...(await burst(() => app.get({ 'x-test-subject': 'one', 'x-test-role': 'reader' }), 2)),
      ...(await burst(() => app.get({ 'x-test-subject': 'two', 'x-test-role': 'reader' }), 2)),
      ...(await burst(() => app.get(), 1)),
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const refused = await app.get();
    expect(await refused.json()).toMatchObject({ limit: 'address' });
    expect(refused.headers.get('ratelimit-limit')).toBe('4');
  });

  it('limits refused credentials by address, and counts each limit once a request', async () => {
    const refusing = await serve({ redis, keyPrefix: `${prefix}:d`, perAddress: 3, windowS: 5 });
    const first = await refusing.get({ 'x-test-refuse': 'yes' });
    expect(first.status).toBe(401);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(await burst(() => refusing.get({ 'x-test-refuse': 'yes' }), 3)).toEqual([401, 401, 429]);

    const app = await serve({ redis, keyPrefix: `${prefix}:e`, perRole: { reader: 2 }, perAddress: 10, windowS: 3600 });
    const reader = { 'x-test-subject': 'k', 'x-test-role': 'reader' };
    expect(await burst(() => app.get(reader), 3)).toEqual([200, 200, 429]);
    // Three requests, three tokens taken from the address's bucket (it refills in an hour: nothing came back).
    const [addressKey] = await redis.keys(`${prefix}:e:address*`);
    expect(Math.floor(Number(await redis.hget(addressKey!, 'tokens')))).toBe(7);
  });

  it('refills continuously: one token per window / limit, where a fixed window would refuse to its end', async () => {
    // 3 requests per 3 s: a token every second, the bucket full again 3 s after it was emptied.
    const app = await serve({ redis, keyPrefix: `${prefix}:f`, perRole: { reader: 3 }, perAddress: 100, windowS: 3 });
    const reader = { 'x-test-subject': 'k', 'x-test-role': 'reader' };
    expect(await burst(() => app.get(reader), 3)).toEqual([200, 200, 200]);
    const refused = await app.get(reader);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-reset')).toBe('3');
    // The bucket expires once it would be full again.
    const [key] = await redis.keys(`${prefix}:f:credential:reader*`);
    expect(await redis.pttl(key!)).toBeGreaterThan(2000);
    expect(await redis.pttl(key!)).toBeLessThanOrEqual(3000);

    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect(await burst(() => app.get(reader), 2)).toEqual([200, 429]);
  });

  it('shares the buckets between instances on the same Redis', async () => {
    const options = { redis, keyPrefix: `${prefix}:g`, perRole: { reader: 4 }, perAddress: 100, windowS: 3600 };
    const [one, two] = [await serve(options), await serve(options)];
    const reader = { 'x-test-subject': 'k', 'x-test-role': 'reader' };
    const statuses = [];
    for (const app of [one, two, one, two, one, two]) statuses.push((await app.get(reader)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('keeps a per-instance limit with Redis unreachable', async () => {
    // A port nothing listens on: taken, then released.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const down = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => 200 });
    down.on('error', () => undefined); // refused connections are the point of the test

    const app = await serve({
      redis: down,
      keyPrefix: `${prefix}:c`,
      perRole: { reader: 2 },
      perAddress: 100,
      windowS: 5,
    });
    const reader = { 'x-test-subject': 'k', 'x-test-role': 'reader' };
    const started = Date.now();
    expect(await burst(() => app.get(reader), 3)).toEqual([200, 200, 429]);
    expect(Date.now() - started).toBeLessThan(2000); // answered from memory, not after Redis timeouts
    expect(down.status).not.toBe('ready');
    down.disconnect();
  });
});
