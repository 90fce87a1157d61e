import { Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/** Outcome of one health probe; detail says why it is not healthy (or what it saw). */
export interface Probe {
  ok: boolean;
  detail?: string;
}

const PROBE_TIMEOUT_MS = 3000;

const fail = (err: unknown): Probe => ({ ok: false, detail: err instanceof Error ? err.message : String(err) });

/** Whether anything accepts TCP connections on the port. */
export function tcpOpen(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Redis health: PING over a raw socket answers +PONG. */
export function redisPing(host: string, port: number): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (probe: Probe): void => {
      socket.destroy();
      resolve(probe);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done({ ok: false, detail: 'PING timed out' }));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') ? { ok: true } : { ok: false, detail: reply.trim() });
    });
    socket.once('error', (err) => done(fail(err)));
  });
}

/** PostgreSQL health: `SELECT 1` on the given connection string. */
export async function pgSelectOne(connectionString: string): Promise<Probe> {
  const client = new Client({ connectionString, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return fail(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Kafka health: the port is open and the broker answers a metadata call with a controller. */
export async function kafkaDescribeCluster(host: string, port: number): Promise<Probe> {
  if (!(await tcpOpen(host, port))) return { ok: false, detail: `nothing listens on ${host}:${port}` };
  const admin = new Kafka({
    clientId: 'verity-infra-probe',
    brokers: [`${host}:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.controller === null
      ? { ok: false, detail: 'no active controller yet' }
      : { ok: true, detail: `cluster ${cluster.clusterId}` };
  } catch (err) {
    return fail(err);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** GET a URL; healthy when the status is 2xx and `accept` (if given) agrees with the body. */
export async function httpProbe(url: string, accept?: (body: string) => Probe): Promise<Probe> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = await res.text();
    if (!res.ok) return { ok: false, detail: `GET ${url} answered ${res.status}` };
    return accept ? accept(body) : { ok: true };
  } catch (err) {
    return fail(err);
  }
}

/**
 * Polls the probe until it is healthy. Stops early when `stillAlive` says the process died,
 * so a crash surfaces at once instead of after the whole timeout.
 */
export async function waitUntilHealthy(
  probe: () => Promise<Probe>,
  opts: { timeoutMs: number; stillAlive: () => boolean; intervalMs?: number },
): Promise<Probe> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: Probe = { ok: false, detail: 'not probed yet' };
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last;
    if (!opts.stillAlive()) return { ok: false, detail: `process exited (${last.detail ?? 'no detail'})` };
    await sleep(opts.intervalMs ?? 500);
  }
  return {
    ok: false,
    detail: `not healthy after ${Math.round(opts.timeoutMs / 1000)} s (${last.detail ?? 'no detail'})`,
  };
}
