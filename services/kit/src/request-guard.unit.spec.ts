import { connect } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createHttpApp } from './http-app';
import { requestTargetProblem } from './request-guard';
import { listen, type RunningServer } from './server';

describe('requestTargetProblem', () => {
  it.each([
    '/v1/inventory/%ED%A0%80', // a lone surrogate
    '/v1/inventory/%C0%AF', // an overlong '/'
    '/v1/inventory/%FF',
    '/v1/inventory/%E0%A4%A',
    '/v1/inventory/%zz',
    '/v1/inventory/100%',
    '/v1/inventory/locations/%00',
    '/v1/inventory/a%0Ab',
    '/v1/inventory/a%7F',
    '/v1/inventory/a%C2%85', // NEL, a C1 control
    '/v1/inventory/x?sku=%ED%A0%80',
    '/v1/inventory/x?sku=a%09b',
    '/v1/inventory/x?%',
  ])('refuses %s', (target) => {
    expect(requestTargetProblem(target)).toEqual(expect.any(String));
  });

  it.each(['/v1/inventory/SKU-1', '/v1/inventory/caf%C3%A9?x=a+b&y=%F0%9F%98%80', '/api/aliases/resolve/x/%2F', '/'])(
    'accepts %s',
    (target) => {
      expect(requestTargetProblem(target)).toBeUndefined();
    },
  );
});

/** Sends raw bytes and reads the whole answer (the server closes or the answer is complete). */
function raw(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request, 'latin1'));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
  });
}

describe('the HTTP app refuses malformed requests before any route runs', () => {
  let server: RunningServer;
  const seen: string[] = [];

  beforeAll(async () => {
    const app = createHttpApp(
      { service: 'test', logger: pino({ level: 'silent' }), metrics: new Registry(), readiness: async () => [] },
      (app) => {
        app.get('/v1/inventory/:sku', (req, res) => {
          seen.push(req.params.sku);
          res.json({ ok: true });
        });
        app.post('/v1/commands/:type', (req, res) => {
          seen.push(req.params.type);
          res.json({ ok: true });
        });
        app.get('/v1/decode', () => {
          decodeURIComponent('%E0%A4%A');
        });
      },
    );
    server = await listen(app, 0, { host: '127.0.0.1', VERITY_HTTP_MAX_HEADER_BYTES: 4096 });
  });
  afterAll(() => server.close());

  it.each([
    '/v1/inventory/%ED%A0%80',
    '/v1/inventory/locations/%00',
    '/v1/inventory/x?sku=%ED%A0%80',
    '/v1/inventory/%C2%9F',
  ])('GET %s is a 400 problem', async (target) => {
    const res = await fetch(`${server.url}${target}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 400, code: 'malformed_request_target' });
    expect(seen).toEqual([]);
  });

  it('answers a URIError a route throws with 400, not 500', async () => {
    const res = await fetch(`${server.url}/v1/decode`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_request' });
  });

  it('refuses a declared body over 1 MiB with 413 before reading it', async () => {
    const res = await raw(
      server.port,
      'POST /v1/commands/x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${1024 * 1024 + 1}\r\n\r\n{`,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'body_too_large' });
    expect(seen).toEqual([]);
  });

  it('answers headers over the limit with a 431 problem', async () => {
    const res = await raw(server.port, `GET /v1/inventory/a HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(8000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toContain('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: 'headers_too_large' });
  });

  it('answers a request Node cannot parse with a 400 problem', async () => {
    const res = await raw(server.port, 'GET /v1/inventory/a HTTP/1.1\r\nHost: a\r\nBad Header\x01: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'malformed_request' });
    expect(seen).toEqual([]);
  });

  it('answers CONNECT with a 405 problem, and closes while the client holds its side open', async () => {
    const app = createHttpApp(
      { service: 'test', logger: pino({ level: 'silent' }), metrics: new Registry(), readiness: async () => [] },
      () => undefined,
    );
    const own = await listen(app, 0, { host: '127.0.0.1' });
    const res = await raw(own.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(res.status).toBe(405);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'method_not_allowed' });
    const held = connect(own.port, '127.0.0.1', () => held.write('CONNECT a:1 HTTP/1.1\r\nHost: a\r\n\r\n'));
    held.on('error', () => undefined);
    await new Promise((r) => held.once('data', r));
    const closed = await Promise.race([
      own.close().then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    held.destroy();
    expect(closed).toBe(true);
  });

  it('answers a request not sent whole in time with a 408 problem', async () => {
    const app = createHttpApp(
      { service: 'test', logger: pino({ level: 'silent' }), metrics: new Registry(), readiness: async () => [] },
      () => undefined,
    );
    const slow = await listen(app, 0, { host: '127.0.0.1', VERITY_HTTP_REQUEST_TIMEOUT_MS: 300 });
    try {
      const started = Date.now();
      const res = await raw(slow.port, 'GET /health HTTP/1.1\r\nHost: a\r\n');
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'request_timeout' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await slow.close();
    }
  });

  it('keeps an idle keep-alive connection open for VERITY_HTTP_KEEP_ALIVE_TIMEOUT_MS, then closes it', async () => {
    const app = createHttpApp(
      { service: 'test', logger: pino({ level: 'silent' }), metrics: new Registry(), readiness: async () => [] },
      () => undefined,
    );
    const own = await listen(app, 0, { host: '127.0.0.1', VERITY_HTTP_KEEP_ALIVE_TIMEOUT_MS: 1500 });
    const socket = connect(own.port, '127.0.0.1');
    try {
      let answered = '';
      socket.on('data', (c: Buffer) => (answered += c.toString('latin1')));
      const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
      const statuses = async (count: number): Promise<string[]> => {
        const deadline = Date.now() + 5000;
        while ((answered.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < count && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        return answered.match(/HTTP\/1\.1 \d{3}/g) ?? [];
      };
      socket.write('GET /health HTTP/1.1\r\nHost: a\r\n\r\n');
      expect(await statuses(1)).toEqual(['HTTP/1.1 200']);
      // Idle for 1 s, under the timeout: the same connection serves the next request.
      await new Promise((r) => setTimeout(r, 1000));
      socket.write('GET /health HTTP/1.1\r\nHost: a\r\n\r\n');
      const lastAnswer = Date.now();
      expect(await statuses(2)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
      // Then the server closes it, once idle for the timeout and not much later.
      const closedAt = await closed;
      expect(closedAt - lastAnswer).toBeGreaterThanOrEqual(1400);
      expect(closedAt - lastAnswer).toBeLessThan(4000);
    } finally {
      socket.destroy();
      await own.close();
    }
  });

  it('answers a raw control character in the target with 400', async () => {
    const res = await raw(server.port, 'GET /v1/inventory/a\x85b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(400);
    expect(seen).toEqual([]);
  });
});
