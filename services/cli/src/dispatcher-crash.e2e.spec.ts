import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { LANE_LEASES_TABLE } from '@verity/connector-outbound';
import { sleep } from '@verity/events';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'hooks-crash';
const STREAMS = Array.from({ length: 6 }, (_, i) => `CRASH-${i}`);
const PER_STREAM = 50;
const KILLS = 3;
/** Short leases, so a killed instance's lanes pass to the other within seconds. */
const LEASE_MS = 3_000;
const DISPATCHER_MAIN = resolve(__dirname, '../../webhook-dispatcher/dist/main.js');

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  id: string;
  subject: string;
  version: number;
}

/** How long the receiver takes to answer: a lane nearly always has a send in flight. */
const ANSWER_AFTER_MS = 300;

/** Records every delivery in arrival order, and the streams of those not answered yet. */
async function startReceiver(): Promise<{
  server: Server;
  url: string;
  received: Received[];
  unanswered: Map<string, number>;
}> {
  const received: Received[] = [];
  const unanswered = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body) as { id: string; subject: string; streamversion: number };
      received.push({ headers: req.headers, body, id: event.id, subject: event.subject, version: event.streamversion });
      unanswered.set(event.subject, (unanswered.get(event.subject) ?? 0) + 1);
      setTimeout(() => {
        unanswered.set(event.subject, unanswered.get(event.subject)! - 1);
        res.statusCode = 204;
        res.end();
      }, ANSWER_AFTER_MS);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, unanswered };
}

/** The lane-lease owner the current run of a dispatcher says it is, once its worker has started. */
function currentOwner(child: ChildService): string | undefined {
  const output = child.output();
  const runs = [...output.matchAll(new RegExp(`^\\[${child.name} #(\\d+)\\] `, 'gm'))];
  const run = runs.at(-1)?.[1];
  if (run === undefined) return undefined;
  const tag = `[${child.name} #${run}] `;
  const lines = output.split('\n').filter((line) => line.startsWith(tag));
  return lines.map((line) => /"owner":"([0-9a-f-]{36})"/.exec(line)?.[1]).find((owner) => owner !== undefined);
}

describe('webhook dispatchers killed with SIGKILL while delivering (issue 12)', () => {
  let platform: TestPlatform;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const dispatchers: ChildService[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    platform = await startTestPlatform(['command-processor', 'gateway'], {
      env: {
        VERITY_WEBHOOKS_ALLOW_PRIVATE: 'true',
        VERITY_WEBHOOKS_ALLOW_HTTP: 'true',
        VERITY_WEBHOOKS_RETRY_BASE_MS: '100',
        VERITY_WEBHOOKS_RETRY_MAX_MS: '400',
        VERITY_WEBHOOKS_POLL_MS: '50',
        VERITY_WEBHOOKS_TIMEOUT_MS: '1000',
        VERITY_WEBHOOKS_LEASE_MS: String(LEASE_MS),
        // A few deliveries a lane before yielding, and half the lanes an instance: both always send.
        VERITY_WEBHOOKS_LANE_BATCH: '5',
        VERITY_WEBHOOKS_CONCURRENCY: String(STREAMS.length / 2),
        VERITY_WEBHOOK_DISPATCHER_PORT: '0',
      },
    });
  });
  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    await platform?.stop();
    receiver?.server.closeAllConnections();
    await new Promise<void>((done) => (receiver ? receiver.server.close(() => done()) : done()));
  });

  it('delivers every event at least once, each stream in order, across kills of one of two instances', async () => {
    const admin = await platform.credential({ tenant: TENANT, roles: ['admin'], subject: 'crash-admin' });
    const gateway = platform.urls.gateway!;
    const created = await fetch(`${gateway}/v1/webhook-subscriptions`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, eventTypes: ['verity.inventory.StockReceived'] }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    // At info, each run logs the owner it leases lanes as.
    const [steady, killed] = ['steady', 'killed'].map((name) =>
      childService(`webhook-dispatcher-${name}`, DISPATCHER_MAIN, { ...platform.env, VERITY_LOG_LEVEL: 'info' }),
    ) as [ChildService, ChildService];
    /** A stream whose lane the killed instance's current run leases and has a delivery of unanswered. */
    const sendingInKilled = async (): Promise<string | undefined> => {
      const owner = currentOwner(killed);
      if (!owner) return undefined;
      const lanes = await platform.db
        .withSchema(platform.schema)
        .table(LANE_LEASES_TABLE)
        .where({ owner })
        .andWhereRaw('expires_at > clock_timestamp()')
        .pluck<string[]>('stream_id');
      return lanes.find((stream) => (receiver.unanswered.get(stream) ?? 0) > 0);
    };
    dispatchers.push(steady, killed);
    try {
      steady.start();
      killed.start();
      // One writer per stream, the streams at once: each stream's versions are 1..PER_STREAM.
      const load = Promise.all(
        STREAMS.map(async (sku) => {
          for (let i = 1; i <= PER_STREAM; i++) {
            const res = await fetch(`${gateway}/v1/commands/inventory.ReceiveStock`, {
              method: 'POST',
              headers: { ...admin, 'content-type': 'application/json' },
              body: JSON.stringify({ sku, location: 'lyon', quantity: i }),
            });
            expect(res.status).toBe(200);
            await sleep(20);
          }
        }),
      );
      const total = STREAMS.length * PER_STREAM;
      const distinct = (): number => new Set(receiver.received.map((r) => r.id)).size;
      for (let kill = 1; kill <= KILLS; kill++) {
        // Kill inside a send: the receiver has the delivery, the instance has not recorded it.
        await eventually(sendingInKilled, 60_000, `a send of the killed instance in flight before kill ${kill}`).catch(
          async (error: Error) => {
            const leases = await platform.db.withSchema(platform.schema).table(LANE_LEASES_TABLE).select();
            error.message += `; ${receiver.received.length} received, leases ${JSON.stringify(leases)}`;
            throw error;
          },
        );
        // Both started together and each restart joins a live one: none may have exited by itself.
        steady.assertAlive();
        killed.assertAlive();
        await killed.kill();
        await sleep(500 + Math.random() * 1000);
        killed.start();
      }
      await load;
      await eventually(async () => (distinct() === total ? true : undefined), 120_000, `all ${total} events delivered`);
      steady.assertAlive();
      killed.assertAlive();
      expect(killed.kills).toEqual(Array(KILLS).fill('SIGKILL'));

      const verifier = new Webhook(secret);
      for (const r of receiver.received) {
        expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
        expect(r.headers['webhook-id']).toBe(r.id);
      }
      for (const sku of STREAMS) {
        const arrivals = receiver.received.filter((r) => r.subject === `${TENANT}/${sku}`).map((r) => r.version);
        // In order: a version first arrives after every earlier one has; a repeat is a resend of one already seen.
        const firsts: number[] = [];
        let highest = 0;
        for (const version of arrivals) {
          if (version > highest) {
            firsts.push(version);
            highest = version;
          }
        }
        expect(firsts).toEqual(Array.from({ length: PER_STREAM }, (_, i) => i + 1));
        // At least once: a kill may resend what was sent but not yet marked delivered, nothing else.
        expect(arrivals.length - PER_STREAM).toBeLessThanOrEqual(KILLS * 5);
      }
      // Each kill left at least one delivery sent and not recorded: the instance that took its lane sent it again.
      const repeats = receiver.received.length - total;
      expect(repeats).toBeGreaterThanOrEqual(KILLS);
      console.log(
        `dispatcher crash test: ${total} events, ${receiver.received.length} deliveries (${repeats} resent after kills), ${KILLS} kills`,
      );
    } catch (error) {
      appendOutputTails(error, dispatchers);
      throw error;
    }
  });
});
