import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGetPool } from './get-pool';
import { measureReadsAtRate, measureReadsClosedLoop } from './read-load';

/** A server answering `/ok/…` 200 after `delayMs`, anything else 404; it counts what it saw. */
function startServer(delayMs: number): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers['x-tenant-id'] as string}`);
    setTimeout(() => {
      res.statusCode = req.url?.startsWith('/ok/') ? 200 : 404;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    }, delayMs);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen }),
    ),
  );
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('read load against a local server', () => {
  it('GETs through the pool on its connections, each answer to its request, with the headers', async () => {
    const { url, server, seen } = await startServer(5);
    const { port } = new URL(url);
    const pool = createGetPool({
      host: '127.0.0.1',
      port: Number(port),
      headers: { 'x-tenant-id': 'acme' },
      connections: 2,
      timeoutMs: 1000,
    });
    try {
      const statuses = await Promise.all(['/ok/1', '/ok/2', '/missing', '/ok/3'].map((p) => pool.get(p)));
      expect(statuses).toEqual([200, 200, 404, 200]);
      // Two connections: the last two may reach the server in either order.
      expect([...seen].sort()).toEqual(['/missing acme', '/ok/1 acme', '/ok/2 acme', '/ok/3 acme']);
    } finally {
      pool.close();
      await close(server);
    }
  });

  it('fails a request past its timeout with the cause `timeout`', async () => {
    const { url, server } = await startServer(500);
    const pool = createGetPool({
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      headers: {},
      connections: 1,
      timeoutMs: 50,
    });
    try {
      await expect(pool.get('/ok/slow')).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      pool.close();
      await close(server);
    }
  });

  it('holds the fixed rate, times each request from when it was due, and counts a non-200 as an error', async () => {
    const { url, server, seen } = await startServer(2);
    try {
      const result = await measureReadsAtRate({
        name: 'at rate',
        url,
        paths: ['/ok/a', '/ok/b', '/ok/c', '/missing'],
        headers: { 'x-tenant-id': 'acme' },
        connections: 8,
        warmupS: 0,
        durationS: 2,
        ratePerS: 500,
      });
      expect(result.requests).toBe(1000);
      expect(seen).toHaveLength(1000);
      expect(result.operations).toBe(750);
      expect(result.errorsByCause).toEqual({ 'status 404': 250 });
      // Paced, not as fast as it goes: the run lasts its 2 s.
      expect(result.durationS).toBeGreaterThanOrEqual(1.99);
      expect(result.durationS).toBeLessThan(3);
      expect(result.latencyMs.p50).toBeGreaterThanOrEqual(2);
    } finally {
      await close(server);
    }
  });

  it('shows a server that falls behind the rate in its latencies', async () => {
    // One connection and 10 ms an answer: at most 100/s, asked for 400/s.
    const { url, server } = await startServer(10);
    try {
      const result = await measureReadsAtRate({
        name: 'behind',
        url,
        paths: ['/ok/a'],
        headers: {},
        connections: 1,
        warmupS: 0,
        durationS: 1,
        ratePerS: 400,
      });
      expect(result.operations).toBe(400);
      expect(result.throughputPerS).toBeLessThan(120);
      // The last one waited behind about 300 others.
      expect(result.latencyMs.max).toBeGreaterThan(2000);
    } finally {
      await close(server);
    }
  });

  it('runs a closed loop with autocannon, paths cycling, only 200s counted', async () => {
    const { url, server, seen } = await startServer(0);
    try {
      const result = await measureReadsClosedLoop({
        name: 'closed',
        url,
        paths: ['/ok/a', '/missing'],
        headers: { 'x-tenant-id': 'acme' },
        connections: 4,
        warmupS: 0,
        durationS: 1,
      });
      expect(result.operations).toBeGreaterThan(0);
      expect(result.errorsByCause['status 404']).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set(['/ok/a acme', '/missing acme']));
    } finally {
      await close(server);
    }
  });
});
