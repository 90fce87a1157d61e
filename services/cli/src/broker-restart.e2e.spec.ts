import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sleep } from '@verity/events';
import { startSpareKafka, type SpareKafka } from '@verity/infra-local';
import { freePort } from './launcher/free-port';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { expectExactlyOnce } from './testing/exactly-once';
import { isAlive } from './testing/processes';
import { startReceiveLoad, type ReceiveLoad, type ReceiveLoadOptions } from './testing/receive-load';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const REGISTER = 'catalog.RegisterProduct';
const TENANT = 'restart';
const SKUS = Array.from({ length: 10 }, (_, i) => `SKU-${String(i).padStart(2, '0')}`);
const LOCATIONS = ['lyon', 'turin'];
const CLIENTS = 4;
/** Short, so a command caught by the outage answers 202 and its client moves on to new ones. */
const REPLY_TIMEOUT_MS = 5_000;
/** How long the broker stays away each time. */
const OUTAGE_MS = 6_000;
/** The issue's bound: commands are decided again within this long of the broker answering. */
const RECOVERY_BOUND_MS = 30_000;
const PROCESSOR_MAIN = resolve(__dirname, '../../command-processor/dist/main.js');
const GATEWAY_MAIN = resolve(__dirname, '../../gateway/dist/main.js');

/** What one broker restart showed, in ms from the broker answering again. */
interface Recovery {
  signal: 'SIGTERM' | 'SIGKILL';
  /** Until the first 200 for a command first sent after the broker was back. */
  newCommandMs: number;
  /** Until both services' /ready answered 200. */
  readyMs: number;
}

describe('a Kafka broker restarted under load', () => {
  let kafka: SpareKafka | undefined;
  let platform: TestPlatform | undefined;
  const children: ChildService[] = [];

  afterAll(async () => {
    for (const child of children) await child.stop();
    // The sandbox's cleanup (registry subjects above all) talks to the broker too.
    if (kafka && kafka.pid === undefined) await kafka.start().catch(() => undefined);
    await platform?.stop();
    await kafka?.remove();
  });

  it('is reconnected to without a restart, decides again within 30 s and loses or repeats nothing', async () => {
    // A broker of this test's own: the stack's is shared with every other suite.
    kafka = await startSpareKafka();
    const spare = kafka;
    platform = await startTestPlatform(['projector'], {
      baseEnv: { ...process.env, VERITY_KAFKA_BROKERS: spare.broker },
      env: { VERITY_REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS) },
    });
    const test = platform;
    const [gatewayPort, processorPort] = [await freePort(), await freePort()];
    const env = { ...test.env, VERITY_LOG_LEVEL: 'info' };
    const processor = childService('command-processor', PROCESSOR_MAIN, {
      ...env,
      VERITY_COMMAND_PROCESSOR_PORT: String(processorPort),
    });
    const gateway = childService('gateway', GATEWAY_MAIN, { ...env, VERITY_GATEWAY_PORT: String(gatewayPort) });
    children.push(processor, gateway);
    const urls = { gateway: `http://127.0.0.1:${gatewayPort}`, processor: `http://127.0.0.1:${processorPort}` };
    test.urls.gateway = urls.gateway;
    const loadOptions: ReceiveLoadOptions = {
      tenant: TENANT,
      clients: CLIENTS,
      skus: SKUS,
      locations: LOCATIONS,
      idPrefix: 'restart',
    };
    const loads: ReceiveLoad[] = [];
    try {
      const ready = async (url: string): Promise<boolean> =>
        (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status === 200;
      const bothReady = async (): Promise<boolean> => {
        for (const child of children) child.assertAlive();
        return (await ready(urls.gateway)) && (await ready(urls.processor));
      };
      // One after the other: two processes creating the same new topics at once race (one may
      // subscribe before the other's topics have leaders), which is not what this test is about.
      processor.start();
      await eventually(async () => (processor.assertAlive(), (await ready(urls.processor)) || undefined), 60_000);
      gateway.start();
      await eventually(async () => (await bothReady()) || undefined, 60_000, 'services ready');
      const pids = { processor: processor.pid!, gateway: gateway.pid! };

      /**
       * Registers a product, sending it again on a 5xx or a network error; resolves with its
       * command id. ReceiveStock is decided on a table of the catalog that must first catch up
       * with every product registered before: one registered after a restart shows whether
       * that table reads again.
       */
      async function registerProduct(sku: string): Promise<string> {
        const commandId = `restart-product-${sku}`;
        for (const started = Date.now(); Date.now() - started < 60_000; await sleep(500)) {
          const res = await postCommand(
            test,
            REGISTER,
            { sku, name: `Product ${sku}`, unit: 'EA' },
            { 'X-Tenant-Id': TENANT, 'Idempotency-Key': commandId },
          ).catch(() => undefined);
          if (res && res.status < 500) return commandId;
        }
        throw new Error(`${REGISTER} ${sku}: only 5xx or network errors for 60 s`);
      }

      /**
       * Starts a client of new commands every half second until one of them is answered 200;
       * resolves with the time from `back` to that answer, Infinity past the bound.
       */
      async function firstAcceptedAfter(back: number, label: string): Promise<number> {
        const probes: ReceiveLoad[] = [];
        try {
          for (let n = 0; Date.now() - back <= RECOVERY_BOUND_MS; n++) {
            if (n % 5 === 0)
              probes.push(startReceiveLoad(test, { ...loadOptions, clients: 1, idPrefix: `${label}-probe${n}` }));
            if (probes.some((p) => p.answered() > 0)) return Date.now() - back;
            await sleep(100);
          }
          return Infinity;
        } finally {
          for (const probe of probes) probe.halt();
          loads.push(...probes);
        }
      }

      async function restartBroker(signal: 'SIGTERM' | 'SIGKILL'): Promise<Recovery> {
        await spare.stop(signal);
        await sleep(OUTAGE_MS);
        await spare.start();
        const back = Date.now();
        products.push(registerProduct(`NEW-${signal}`));
        // Polled once a second: every probe of /ready is a line in the logs that explain a failure.
        const readyAfter = (async () => {
          for (; Date.now() - back <= RECOVERY_BOUND_MS; await sleep(1_000))
            if (await bothReady().catch(() => false)) return Date.now() - back;
          return Infinity;
        })();
        const newCommandMs = await firstAcceptedAfter(back, signal.toLowerCase());
        return { signal, newCommandMs, readyMs: await readyAfter };
      }

      /** What each service's /ready says now, for a failure's message. */
      const readiness = async (): Promise<string> =>
        (
          await Promise.all(
            Object.entries(urls).map(async ([name, url]) => {
              const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) }).catch(
                (error: Error) => error.message,
              );
              return `${name} /ready: ${typeof res === 'string' ? res : `${res.status} ${await res.text()}`}`;
            }),
          )
        ).join('\n');

      const products = SKUS.map(registerProduct);
      await Promise.all(products);
      const load = startReceiveLoad(test, loadOptions);
      loads.push(load);
      await eventually(async () => (load.answered() >= 20 ? true : undefined), 30_000, 'first commands accepted');
      const recoveries: Recovery[] = [];
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        await sleep(2_000);
        const recovery = await restartBroker(signal);
        recoveries.push(recovery);
        // Checked at once: a stuck service fails the test here, not after the next restart.
        if (!(recovery.newCommandMs <= RECOVERY_BOUND_MS && recovery.readyMs <= RECOVERY_BOUND_MS))
          throw new Error(
            `after ${signal}, bound ${RECOVERY_BOUND_MS} ms: a new command accepted after ${recovery.newCommandMs} ms, ` +
              `both services ready after ${recovery.readyMs} ms\n${await readiness()}`,
          );
      }
      await sleep(2_000);
      const finished = await Promise.all(loads.map((l) => l.finish()));

      // The same processes throughout: they reconnected on their own.
      for (const child of children) child.assertAlive();
      expect([processor.pid, gateway.pid, isAlive(pids.processor), isAlive(pids.gateway)]).toEqual([
        pids.processor,
        pids.gateway,
        true,
        true,
      ]);
      // Every product registration was accepted, those after the restarts too.
      for (const commandId of await Promise.all(products)) {
        const outcome = await eventually(async () => {
          const res = await fetch(`${urls.gateway}/v1/commands/${commandId}`, {
            headers: await withCredential(test, { 'X-Tenant-Id': TENANT }),
          });
          const body = res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
          return body && body.status !== 'pending' ? body.status : undefined;
        }, 60_000);
        expect([commandId, outcome]).toEqual([commandId, 'accepted']);
      }
      const sent = loads.flatMap((l) => l.sent);
      const figures = await expectExactlyOnce(test, TENANT, sent);

      console.log(
        `broker restart: ${sent.length} commands, ${figures.accepted} accepted, ` +
          `${finished.reduce((n, f) => n + f.pendingAfterLoad, 0)} answered 202 and resolved later, ` +
          `${sent.filter((c) => c.attempts > 1).length} sent again; ` +
          recoveries
            .map(
              (r) =>
                `${r.signal}: a new command accepted ${r.newCommandMs} ms and both services ready ${r.readyMs} ms after the broker was back`,
            )
            .join('; '),
      );
    } catch (error) {
      // The services' own words explain a failure: the tails in the message, all they kept in files.
      for (const child of children) {
        const file = join(dirname(spare.dir), `broker-restart-${test.prefix}-${child.name}.log`);
        writeFileSync(file, child.output());
        if (error instanceof Error) error.message += `\n(${child.name}'s output kept: ${file})`;
      }
      appendOutputTails(error, children, 15_000);
      throw error;
    } finally {
      // Also on a failure, so the clients stop sending and jest can exit.
      for (const l of loads) l.halt();
    }
  }, 240_000);
});
