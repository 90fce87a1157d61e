import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { tenantOf } from './auth/request-principal';
import { createHttpApp } from './http-app';

/** An app whose JSON log lines are collected, on a free port. */
async function serve(
  level: string,
): Promise<{ url: string; lines: Record<string, unknown>[]; close(): Promise<void> }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const app = createHttpApp(
    { service: 'test', logger: pino({ level }, sink), metrics: new Registry(), readiness: async () => [] },
    (app) => {
      app.get('/v1/things', (_req, res) => void res.json({ ok: true }));
      app.get('/v1/tenant', (req, res) => {
        const platformOperator = req.get('x-test-operator') === 'yes';
        req.principal = {
          kind: 'jwt',
          subject: 'ops-1',
          tenant: 'home',
          grants: [{ role: 'reader' }],
          permissions: new Set(platformOperator ? ['platform-operator' as const] : []),
        };
        res.json({ tenant: tenantOf(req) });
      });
      app.get('/v1/broken', () => {
        throw new Error('secret detail');
      });
    },
  );
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the HTTP app every service shares', () => {
  it('logs one JSON line per request at info, none for /health, and counts it in /metrics', async () => {
    const app = await serve('info');
    try {
      expect((await fetch(`${app.url}/v1/things?x=1`)).status).toBe(200);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      const logged = app.lines.filter((l) => l.msg === 'request completed');
      expect(logged).toEqual([
        expect.objectContaining({
          req: { method: 'GET', url: '/v1/things?x=1' },
          res: { statusCode: 200 },
          responseTime: expect.any(Number) as number,
        }),
      ]);
      expect(metrics).toMatch(
        /verity_http_request_duration_seconds_count\{service="test",method="GET",route="\/v1\/things",status="200"\} 1/,
      );
    } finally {
      await app.close();
    }
  });

  it('records a platform operator acting for another tenant, even above info', async () => {
    const app = await serve('warn');
    try {
      const crossed = await fetch(`${app.url}/v1/tenant`, {
        headers: { 'x-test-operator': 'yes', 'x-tenant-id': 'acme' },
      });
      expect(await crossed.json()).toEqual({ tenant: 'acme' });
      expect((await fetch(`${app.url}/v1/tenant`, { headers: { 'x-test-operator': 'yes' } })).status).toBe(200);
      expect((await fetch(`${app.url}/v1/tenant`, { headers: { 'x-tenant-id': 'acme' } })).status).toBe(403);
      expect(app.lines.filter((l) => l.msg === 'platform operator acted for another tenant')).toEqual([
        expect.objectContaining({ operator: 'ops-1', tenant: 'acme', req: { method: 'GET', url: '/v1/tenant' } }),
      ]);
    } finally {
      await app.close();
    }
  });

  it('logs no request line above info', async () => {
    const app = await serve('warn');
    try {
      await fetch(`${app.url}/v1/things`);
      expect(app.lines).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('answers an unexpected error with a 500 problem that says nothing internal, and logs it', async () => {
    const app = await serve('warn');
    try {
      const res = await fetch(`${app.url}/v1/broken`);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.text()).not.toContain('secret detail');
      expect(app.lines).toEqual([
        expect.objectContaining({ msg: 'unhandled error', req: { method: 'GET', url: '/v1/broken' } }),
      ]);
    } finally {
      await app.close();
    }
  });
});
