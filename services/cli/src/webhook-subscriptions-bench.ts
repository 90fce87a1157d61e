import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import knex from 'knex';
import { DELIVERIES_TABLE } from '@verity/connector-outbound';
import { localStackConfig, tearDownOnInterrupt } from './bench/loopback';
import { startPlatformProcesses, type PlatformUnderTest } from './bench/platform';
import { cpuMeter } from './bench/process-cpu';
import { openSandbox, type Sandbox } from './sandbox';
import { mintToken } from './sandbox-credentials';

const progress = (message: string): void => void process.stderr.write(`bench webhook-subscriptions: ${message}\n`);

export interface WebhookDeliveryBenchOptions {
  /** Events queued, then delivered. */
  events: number;
  /** Streams (SKUs) they are spread over: lanes the dispatcher sends side by side. */
  streams: number;
}

/** Waits for `done`, saying `status()` every 2 s. */
async function watch(done: () => Promise<boolean> | boolean, status: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = Date.now();
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench timed out: ${status()}`);
    if (Date.now() - said >= 2000) {
      progress(status());
      said = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Deliveries per second from the webhook-dispatcher to a local receiver: the command-processor,
 * gateway and dispatcher in processes of their own on the local stack, one subscription held
 * disabled while `events` events are written and queued, then enabled: the time from enabling to
 * the last delivery received is what is measured, so the rate is the dispatcher's, not the
 * command path's. Everything it creates is removed at the end.
 */
export async function runWebhookDeliveryBench(
  options: WebhookDeliveryBenchOptions,
  io: { stdout: { write(text: string): unknown } },
): Promise<{ deliveriesPerS: number; dispatcherCpuUsPerDelivery?: number }> {
  const config = localStackConfig();
  const sandbox: Sandbox = await openSandbox(config, { label: 'whd' });
  const db = knex({ client: 'pg', connection: config.VERITY_DATABASE_URL, pool: { min: 0, max: 2 } });
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.statusCode = 204;
      res.end();
    });
  });
  let platform: PlatformUnderTest | undefined;
  let teardown: Promise<void> | undefined;
  const tearDown = (): Promise<void> =>
    (teardown ??= (async () => {
      await platform?.stop();
      receiver.closeAllConnections();
      receiver.close();
      await db.destroy();
      await sandbox.cleanup();
      progress(`removed the topics, groups and schema of ${sandbox.prefix}`);
    })());
  const stopWatchingInterrupt = tearDownOnInterrupt(tearDown, progress);
  try {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    // The receiver is local: loopback over http is what this run allows.
    const env = { ...sandbox.env, VERITY_WEBHOOKS_ALLOW_PRIVATE: 'true', VERITY_WEBHOOKS_ALLOW_HTTP: 'true' };
    platform = startPlatformProcesses(env, ['command-processor', 'gateway', 'webhook-dispatcher'], 1, progress);
    const urls = await platform.ready;
    const gateway = urls.gateway![0]!;
    const headers = {
      authorization: `Bearer ${await mintToken(env, { tenant: 'bench', roles: ['admin'], subject: 'bench' })}`,
      'content-type': 'application/json',
    };
    /** Sent again once when the connection drops (an idle keep-alive closed by the server): the key makes it once. */
    const post = async (path: string, body: unknown, key?: string): Promise<Record<string, unknown>> => {
      const init = {
        method: 'POST',
        headers: key === undefined ? headers : { ...headers, 'idempotency-key': key },
        body: JSON.stringify(body),
      };
      const res = await fetch(`${gateway}${path}`, init).catch(() => fetch(`${gateway}${path}`, init));
      const answer = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer)}`);
      return answer;
    };
    const { id } = await post('/v1/webhook-subscriptions', {
      url: receiverUrl,
      eventTypes: ['verity.inventory.StockReceived'],
    });
    await post(`/v1/webhook-subscriptions/${String(id)}/disable`, {});

    progress(
      `writing ${options.events} events over ${options.streams} streams, queued while the subscription is disabled`,
    );
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let n = next++; n < options.events; n = next++)
        await post(
          '/v1/commands/inventory.ReceiveStock',
          { sku: `WHD-${n % options.streams}`, location: 'lyon', quantity: 1 },
          `${sandbox.prefix}-${n}`,
        );
    };
    // A writer's failure ends the wait below, and the run, with its cause.
    let failed: Error | undefined;
    const writers = Promise.all(Array.from({ length: 64 }, writer)).catch((error: unknown) => {
      failed = error instanceof Error ? error : new Error(String(error));
    });
    const queued = async (): Promise<number> => {
      const [row] = await db
        .withSchema(sandbox.schema)
        .table(DELIVERIES_TABLE)
        .count<{ count: string }[]>('* as count');
      return Number(row?.count ?? 0);
    };
    let seen = 0;
    await watch(
      async () => {
        if (failed !== undefined) throw failed;
        return (seen = await queued().catch(() => 0)) >= options.events;
      },
      () => `${Math.min(next, options.events)} written, ${seen} queued`,
      600_000,
    );
    await writers;

    const cpu = cpuMeter(platform.pids()['webhook-dispatcher']?.[0]);
    const start = process.hrtime.bigint();
    await post(`/v1/webhook-subscriptions/${String(id)}/enable`, {});
    await watch(
      () => received >= options.events,
      () => `${received}/${options.events} delivered`,
      600_000,
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const deliveriesPerS = options.events / seconds;
    const dispatcherCpuUsPerDelivery = cpu.perRequestUs(options.events);
    io.stdout.write(
      `webhook deliveries: ${deliveriesPerS.toFixed(0)}/s (${options.events} over ${options.streams} streams in ${seconds.toFixed(1)} s, ` +
        `signed, to a local receiver)` +
        (dispatcherCpuUsPerDelivery === undefined
          ? ''
          : `, dispatcher CPU ${dispatcherCpuUsPerDelivery.toFixed(0)} µs/delivery`) +
        '\n',
    );
    return { deliveriesPerS, ...(dispatcherCpuUsPerDelivery === undefined ? {} : { dispatcherCpuUsPerDelivery }) };
  } finally {
    stopWatchingInterrupt();
    await tearDown();
  }
}
