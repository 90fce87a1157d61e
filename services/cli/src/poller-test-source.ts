import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the source received, with when (ms since the epoch) and what it asked. */
export interface SourceRequest {
  at: number;
  kind: string;
  query: Record<string, string>;
  authorization: string | undefined;
  status: number;
}

type SourceRecord = Record<string, unknown> & { updated_at: string };

/**
 * A source system without webhooks, as the poller documents it: `GET /<kind>?updated_since=&page=&page_size=`
 * answering `{items, next_page}` in key order, records changed at or after `updated_since`.
 * It fails on purpose (`failNext`: 500s), rate-limits (`rateLimitNext`: 429 with Retry-After),
 * and records every request, so a test observes the poller from the source's side.
 */
export class PollerSource {
  readonly records = new Map<string, Map<string, SourceRecord>>([
    ['inventory', new Map()],
    ['products', new Map()],
  ]);
  readonly requests: SourceRequest[] = [];
  /** Answer the next n requests 500. */
  failNext = 0;
  /** Answer the next n requests 429 with `Retry-After: retryAfterS`. */
  rateLimitNext = 0;
  retryAfterS = 1;
  /** The bearer token required; none when undefined. */
  token: string | undefined;
  private server: Server | undefined;
  private clock = Date.parse('2026-01-01T00:00:00Z');

  url = '';

  /** Sets a record, with an updated_at later than any before (the source's own clock). */
  put(kind: 'inventory' | 'products', key: string, fields: Record<string, unknown>): void {
    this.clock += 1000;
    this.records.get(kind)!.set(key, { ...fields, updated_at: new Date(this.clock).toISOString() });
  }

  remove(kind: 'inventory' | 'products', key: string): void {
    this.records.get(kind)!.delete(key);
  }

  /** Requests of first pages: one per kind per poll. */
  pollsOf(kind: string): SourceRequest[] {
    return this.requests.filter((r) => r.kind === kind && r.query.page === undefined && r.status === 200);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://source');
      const kind = url.pathname.slice(1);
      const query = Object.fromEntries(url.searchParams);
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        this.requests.push({ at: Date.now(), kind, query, authorization: req.headers.authorization, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      };
      if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`)
        return answer(401, { error: 'unauthorized' });
      if (this.failNext > 0) {
        this.failNext -= 1;
        return answer(500, { error: 'failing on purpose' });
      }
      if (this.rateLimitNext > 0) {
        this.rateLimitNext -= 1;
        return answer(429, { error: 'slow down' }, { 'retry-after': String(this.retryAfterS) });
      }
      const records = this.records.get(kind);
      if (!records) return answer(404, { error: 'unknown kind' });
      const since = query.updated_since;
      const matching = [...records.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, record]) => record)
        .filter((r) => since === undefined || r.updated_at >= since);
      const page = Number(query.page ?? '1');
      const size = Number(query.page_size ?? '100');
      const items = matching.slice((page - 1) * size, page * size);
      answer(200, { items, ...(page * size < matching.length ? { next_page: page + 1 } : {}) });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
