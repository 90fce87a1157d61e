import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import knex, { type Knex } from 'knex';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import {
  DeliverySender,
  enqueueDeliveries,
  LANE_LEASES_TABLE,
  listDeliveries,
  outboxMigrations,
  type NewDelivery,
} from '@verity/connector-outbound';
import type { WebhookSubscriptionView } from '@verity/domain';
import { createLogger, sharedCounter } from '@verity/events';
import { DeliveryWorker } from './delivery-worker';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** A receiver that answers what `answer` says for each body, and keeps the bodies it took. */
async function receiver(answer: (body: { id: string; n: number }) => number) {
  const taken: { id: string; n: number; signature: string; timestamp: string; raw: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as { id: string; n: number };
      res.statusCode = answer(body);
      if (res.statusCode < 300)
        taken.push({
          ...body,
          raw,
          signature: String(req.headers['webhook-signature']),
          timestamp: String(req.headers['webhook-timestamp']),
        });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, taken, server };
}

describe('DeliveryWorker against PostgreSQL and a real receiver', () => {
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 4 },
  });
  const schema = `whd_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const servers: Server[] = [];
  const workers: DeliveryWorker[] = [];

  beforeAll(async () => {
    await db.raw('CREATE SCHEMA ??', [schema]);
    await db.migrate.latest({
      migrationSource: outboxMigrations(schema),
      schemaName: schema,
      tableName: 'knex_migrations_whd',
    });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    for (const s of servers) s.close();
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
  });

  const subscription = (id: string, url: string): WebhookSubscriptionView => ({
    subscriptionId: id,
    tenant: 'acme',
    url,
    eventTypes: ['verity.inventory.StockReceived'],
    createdAt: '2026-01-01T00:00:00.000Z',
    enabled: true,
    sealed: { kek: '0', iv: '0', ciphertext: '0', tag: '0' },
  });

  const start = async (
    sub: WebhookSubscriptionView,
    options: {
      maxAttempts: number;
      disableAfter: number;
      db?: Knex;
      sender?: Pick<DeliverySender, 'send'>;
      leaseMs?: number;
    },
  ) => {
    const disabled: number[] = [];
    const worker = new DeliveryWorker({
      db: options.db ?? db,
      schema,
      directory: {
        get: (id) => (id === sub.subscriptionId ? sub : undefined),
        list: () => [sub],
        secretsOf: (id) => (id === sub.subscriptionId ? [SECRET] : undefined),
      },
      sender:
        options.sender ?? new DeliverySender({ policy: { allowPrivate: true, allowHttp: true }, timeoutMs: 2000 }),
      schedule: { maxAttempts: options.maxAttempts, baseMs: 20, maxMs: 40 },
      disableAfter: options.disableAfter,
      concurrency: 8,
      laneBatch: 5,
      leaseMs: options.leaseMs ?? 5000,
      pollMs: 20,
      disable: async (_s, failures) => void disabled.push(failures),
      attempts: sharedCounter(new Registry(), { name: 'attempts', help: 'attempts', labelNames: ['outcome'] }),
      logger: createLogger('test', 'silent'),
    });
    workers.push(worker);
    await worker.start();
    return { worker, disabled };
  };

  const queue = (subscriptionId: string, streams: string[], perStream: number): NewDelivery[] =>
    Array.from({ length: perStream }, (_, n) =>
      streams.map((stream) => ({
        subscriptionId,
        tenant: 'acme',
        streamId: `acme/${stream}`,
        eventId: `${stream}-${n}`,
        eventType: 'verity.inventory.StockReceived',
        body: JSON.stringify({ id: `${stream}-${n}`, n }),
      })),
    ).flat();

  const until = async (what: string, done: () => Promise<boolean> | boolean) => {
    const deadline = Date.now() + 20_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('sends each stream in order, signed, while streams go side by side', async () => {
    // Every third event fails once: order must hold across the retries.
    const failedOnce = new Set<string>();
    const target = await receiver(({ id, n }) =>
      n % 3 === 0 && !failedOnce.has(id) ? (failedOnce.add(id), 503) : 204,
    );
    servers.push(target.server);
    const sub = subscription('whs_orderorderorder', target.url);
    await enqueueDeliveries(db, schema, queue(sub.subscriptionId, ['A', 'B', 'C'], 12));
    const { worker } = await start(sub, { maxAttempts: 10, disableAfter: 1000 });
    worker.wake();
    await until('36 deliveries', () => target.taken.length >= 36);
    for (const stream of ['A', 'B', 'C'])
      expect(target.taken.filter((t) => t.id.startsWith(stream)).map((t) => t.n)).toEqual([...Array(12).keys()]);
    const first = target.taken[0]!;
    const verified = new Webhook(SECRET).verify(first.raw, {
      'webhook-id': first.id,
      'webhook-timestamp': first.timestamp,
      'webhook-signature': first.signature,
    });
    expect(verified).toMatchObject({ id: first.id });
    // Attempts are recorded once a lane's chunk is sent: the log follows the receiver shortly.
    const log = async () => listDeliveries(db, schema, sub.subscriptionId, { limit: 100 });
    await until('every delivery recorded', async () => (await log()).every((d) => d.status === 'delivered'));
    expect((await log()).filter((d) => d.attempts === 2)).toHaveLength(12);
  });

  it('gives a delivery up after the last attempt (dead letter) and goes on with its stream', async () => {
    const target = await receiver(({ n }) => (n === 0 ? 500 : 204));
    servers.push(target.server);
    const sub = subscription('whs_deaddeaddeaddea', target.url);
    await enqueueDeliveries(db, schema, queue(sub.subscriptionId, ['D'], 3));
    const { worker } = await start(sub, { maxAttempts: 3, disableAfter: 1000 });
    worker.wake();
    await until('the two after it', () => target.taken.length >= 2);
    expect(target.taken.map((t) => t.n)).toEqual([1, 2]);
    const deadLetters = () => listDeliveries(db, schema, sub.subscriptionId, { limit: 10, status: 'dead' });
    await until('the dead letter recorded', async () => (await deadLetters()).length > 0);
    const dead = await deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      eventId: 'D-0',
      attempts: 3,
      lastStatus: 500,
      lastError: 'HTTP 500',
      nextAttemptAt: null,
    });
    expect(dead[0]!.givenUpAt).not.toBeNull();
  });

  it('asks once to disable a subscription at the run of failures, and sends it nothing more', async () => {
    let attempts = 0;
    const target = await receiver(() => (attempts++, 500));
    servers.push(target.server);
    const sub = subscription('whs_downdowndowndow', target.url);
    await enqueueDeliveries(db, schema, queue(sub.subscriptionId, ['E', 'F'], 2));
    const { worker, disabled } = await start(sub, { maxAttempts: 100, disableAfter: 4 });
    worker.wake();
    await until('the disable request', () => disabled.length > 0);
    const at = attempts;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(disabled).toHaveLength(1);
    expect(disabled[0]).toBeGreaterThanOrEqual(4);
    // Lanes in flight may each finish their attempt; none starts after.
    expect(attempts - at).toBeLessThanOrEqual(2);
  });

  describe('two workers over one outbox', () => {
    const streams = Array.from({ length: 40 }, (_, i) => `S${i}`);

    /** A receiver that answers after a few ms, noting any lane sent to by two requests at once. */
    async function laneReceiver() {
      const inFlight = new Map<string, number>();
      let overlaps = 0;
      const taken: { stream: string; n: number }[] = [];
      const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const { id, n } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; n: number };
          const stream = id.slice(0, id.lastIndexOf('-'));
          const now = (inFlight.get(stream) ?? 0) + 1;
          if (now > 1) overlaps++;
          inFlight.set(stream, now);
          setTimeout(() => {
            inFlight.set(stream, inFlight.get(stream)! - 1);
            taken.push({ stream, n });
            res.statusCode = 204;
            res.end();
          }, 2);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      return { url, taken, overlaps: () => overlaps };
    }

    /** Per stream, what arrived must be a prefix walk: never a later event before an earlier one first arrived. */
    const outOfOrder = (taken: readonly { stream: string; n: number }[]): string[] => {
      const highest = new Map<string, number>();
      const wrong: string[] = [];
      for (const { stream, n } of taken) {
        const top = highest.get(stream) ?? -1;
        if (n > top + 1) wrong.push(`${stream}: ${n} after ${top}`);
        highest.set(stream, Math.max(top, n));
      }
      return wrong;
    };

    const counting = (sent: { n: number }) => {
      const real = new DeliverySender({ policy: { allowPrivate: true, allowHttp: true }, timeoutMs: 500 });
      return {
        send: (...args: Parameters<DeliverySender['send']>) => (sent.n++, real.send(...args)),
      };
    };

    it('send every delivery once, each stream in order, each lane by one worker at a time', async () => {
      const target = await laneReceiver();
      const sub = subscription('whs_twotwotwotwotwot', target.url);
      await enqueueDeliveries(db, schema, queue(sub.subscriptionId, streams, 25));
      const [one, two] = [{ n: 0 }, { n: 0 }];
      const options = { maxAttempts: 10, disableAfter: 1000, leaseMs: 2000 };
      await Promise.all([
        start(sub, { ...options, sender: counting(one) }),
        start(sub, { ...options, sender: counting(two) }),
      ]);
      await until('1,000 deliveries', () => target.taken.length >= 1000);
      // Anything sent twice would arrive shortly after: give it the time to.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(target.taken).toHaveLength(1000);
      expect(new Set(target.taken.map((t) => `${t.stream}-${t.n}`)).size).toBe(1000);
      expect(outOfOrder(target.taken)).toEqual([]);
      expect(target.overlaps()).toBe(0);
      // Both took part: the lanes were shared, not all won by one.
      expect(Math.min(one.n, two.n)).toBeGreaterThan(50);
    });

    it("take over a hard-stopped worker's lanes once its leases expire, in order, at least once", async () => {
      const target = await laneReceiver();
      const sub = subscription('whs_crashcrashcrash', target.url);
      await enqueueDeliveries(db, schema, queue(sub.subscriptionId, streams, 25));
      // The worker to stop has a pool of its own, so stopping it leaves the test's intact.
      const doomedDb = knex({
        client: 'pg',
        connection: db.client.config.connection,
        pool: { min: 0, max: 4 },
        // Once destroyed, its rounds fail at once rather than wait for a connection.
        acquireConnectionTimeout: 200,
      });
      const held: (() => void)[] = [];
      let stopped = false;
      const real = counting({ n: 0 });
      const doomed: Pick<DeliverySender, 'send'> = {
        // Stopped: a send never goes out and never ends, as in a process that died mid-lane.
        send: (...args) =>
          stopped
            ? new Promise((resolve) => held.push(() => resolve({ ok: false, status: null, error: 'stopped' })))
            : real.send(...args),
      };
      const leaseMs = 1500;
      const options = { maxAttempts: 10, disableAfter: 1000, leaseMs };
      const { worker: victim } = await start(sub, { ...options, db: doomedDb, sender: doomed });
      await until('the doomed worker to be mid-run', () => target.taken.length >= 100);
      await start(sub, { ...options, sender: counting({ n: 0 }) });
      stopped = true;
      const stoppedAt = Date.now();
      await doomedDb.destroy();
      const leased = await db.withSchema(schema).table(LANE_LEASES_TABLE).where('owner', victim.owner).count();
      expect(Number(leased[0]!.count)).toBeGreaterThan(0);

      const distinct = () => new Set(target.taken.map((t) => `${t.stream}-${t.n}`)).size;
      await until('every delivery, at least once', () => distinct() >= 1000);
      expect(outOfOrder(target.taken)).toEqual([]);
      expect(target.overlaps()).toBe(0);
      // The stopped worker's lanes waited for its leases: the run could not end before they expired.
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(leaseMs - 200);
      const log = async () => listDeliveries(db, schema, sub.subscriptionId, { limit: 1000 });
      await until('every delivery recorded', async () => (await log()).every((d) => d.status === 'delivered'));
      for (const release of held) release();
    });
  });
});
