import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createService, type NamedService } from './services';
import { runCli } from './testing/run-cli';
import { runWebhookSubscriptions } from './webhook-subscriptions-command';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'hooks';
const PATH = '/v1/webhook-subscriptions';
const STOCK_RECEIVED = 'verity.inventory.StockReceived';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; subject: string; streamversion: number; data: { sku: string; quantity: number } };
}

/**
 * A receiver on a port of its own: it records what arrives, answers `status()`, and can go down
 * and come back on the same port, as an endpoint being redeployed does.
 */
class Receiver {
  readonly deliveries: Delivery[] = [];
  status = 204;
  private server: Server | undefined;
  port = 0;

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.status < 300) {
          const body = Buffer.concat(chunks).toString('utf8');
          this.deliveries.push({ headers: req.headers, body, event: JSON.parse(body) as Delivery['event'] });
        }
        res.statusCode = this.status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  of(sku: string): Delivery[] {
    return this.deliveries.filter((d) => d.event.data.sku === sku);
  }
}

/** What the subscription routes answer, every shape in one: each test reads the fields its route has. */
interface Body {
  code?: string;
  id: string;
  secret?: string;
  status?: string;
  enabled?: boolean;
  redeliveryOf?: string;
  subscriptions: { id: string; url: string }[];
  deliveries: { deliveryId: string; eventId: string; status: string; attempts: number; lastError: string | null }[];
}
type Answer = { status: number; type: string | null; body: Body };

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('outbound webhooks (issue 12)', () => {
  let platform: TestPlatform;
  let admin: Record<string, string>;
  const receivers: Receiver[] = [];

  const call = async (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
    base = platform.urls.gateway!,
  ): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: (text ? JSON.parse(text) : {}) as Body };
  };

  const receiver = async (): Promise<Receiver> => {
    const made = new Receiver();
    await made.up();
    receivers.push(made);
    return made;
  };

  const subscribe = async (url: string, extra: Record<string, unknown> = {}) => {
    const created = await call('POST', PATH, admin, { url, eventTypes: [STOCK_RECEIVED], ...extra });
    expect(created.status).toBe(201);
    return created.body as Body & { secret: string };
  };

  const receive = async (sku: string, quantity: number) => {
    const sent = await call('POST', '/v1/commands/inventory.ReceiveStock', admin, { sku, location: 'lyon', quantity });
    expect(sent.status).toBe(200);
  };

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway', 'webhook-dispatcher'], {
      env: {
        // The receivers are local: loopback over http is what the tests allow.
        VERITY_WEBHOOKS_ALLOW_PRIVATE: 'true',
        VERITY_WEBHOOKS_ALLOW_HTTP: 'true',
        VERITY_WEBHOOKS_RETRY_BASE_MS: '100',
        VERITY_WEBHOOKS_RETRY_MAX_MS: '400',
        VERITY_WEBHOOKS_MAX_ATTEMPTS: '50',
        VERITY_WEBHOOKS_DISABLE_AFTER: '30',
        VERITY_WEBHOOKS_POLL_MS: '50',
      },
    });
    admin = await platform.credential({ tenant: TENANT, roles: ['admin'], subject: 'hooks-admin' });
  });
  afterAll(async () => {
    for (const r of receivers) await r.down();
    await platform?.stop();
  });

  it('delivers each event once as a CloudEvent signed per Standard Webhooks, verifiable with the secret', async () => {
    const target = await receiver();
    const { id, secret } = await subscribe(target.url);
    expect(id).toMatch(/^whs_[a-z2-7]{16}$/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    await receive('SIGNED-1', 5);
    await receive('SIGNED-1', 7);
    const got = await until('two deliveries', () =>
      target.of('SIGNED-1').length >= 2 ? target.of('SIGNED-1') : undefined,
    );
    const verifier = new Webhook(secret);
    for (const delivery of got) {
      expect(() => verifier.verify(delivery.body, delivery.headers as Record<string, string>)).not.toThrow();
      expect(delivery.headers['webhook-id']).toBe(delivery.event.id);
      expect(delivery.headers['content-type']).toBe('application/cloudevents+json');
      expect(delivery.event).toMatchObject({ specversion: '1.0', type: STOCK_RECEIVED, subject: `${TENANT}/SIGNED-1` });
    }
    expect(got.map((d) => d.event.data.quantity)).toEqual([5, 7]);
    // A wrong secret does not verify: the signature is the subscription's own.
    const other = new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`);
    expect(() => other.verify(got[0]!.body, got[0]!.headers as Record<string, string>)).toThrow();

    // The delivery log says so, and the subscription lists without its secret.
    const log = await call('GET', `${PATH}/${id}/deliveries`, admin);
    expect(log.body.deliveries).toHaveLength(2);
    expect(log.body.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
    const listed = await call('GET', PATH, admin);
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toMatch(/whsec_|sealed/);

    // Redelivery sends the same event again, with the same webhook-id.
    const first = log.body.deliveries[1] as { deliveryId: string; eventId: string };
    const again = await call('POST', `${PATH}/${id}/deliveries/${first.deliveryId}/redeliver`, admin);
    expect(again).toMatchObject({ status: 202, body: { redeliveryOf: first.deliveryId, status: 'pending' } });
    await until('the redelivery', () => (target.of('SIGNED-1').length >= 3 ? true : undefined));
    expect(target.of('SIGNED-1')[2]!.headers['webhook-id']).toBe(first.eventId);
  });

  it('gives a receiver that was down everything once it is back, once each, in stream order', async () => {
    const target = await receiver();
    const { id } = await subscribe(target.url);
    await target.down();
    // All at once: the stream's own order (its versions) is what the deliveries must keep.
    await Promise.all([1, 2, 3, 4, 5, 6].flatMap((i) => [receive('DOWN-A', i), receive('DOWN-B', 10 + i)]));
    await until('failed attempts while down', async () => {
      const log = await call('GET', `${PATH}/${id}/deliveries?status=pending`, admin);
      return log.body.deliveries.some(
        (d: { attempts: number; lastError: string | null }) => d.attempts >= 2 && d.lastError,
      )
        ? true
        : undefined;
    });
    await target.up();
    await until('every event', () => (target.deliveries.length >= 12 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const [sku, quantities] of [
      ['DOWN-A', [1, 2, 3, 4, 5, 6]],
      ['DOWN-B', [11, 12, 13, 14, 15, 16]],
    ] as const) {
      const got = target.of(sku);
      expect(got.map((d) => d.event.streamversion)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(got.map((d) => d.event.data.quantity).sort((x, y) => x - y)).toEqual(quantities);
    }
    expect(new Set(target.deliveries.map((d) => d.headers['webhook-id'])).size).toBe(12);
    const subscription = await call('GET', `${PATH}/${id}`, admin);
    expect(subscription.body).toMatchObject({ enabled: true });
  });

  it('disables a subscription after the configured run of failures, and delivers what it held once enabled', async () => {
    const target = await receiver();
    target.status = 500;
    const { id } = await subscribe(target.url);
    await receive('FAILING-1', 1);
    // Thirty attempts with backoff: longer on a loaded machine.
    const disabled = await until(
      'the subscription disabled',
      async () => {
        const shown = await call('GET', `${PATH}/${id}`, admin);
        return shown.body.enabled === false ? shown.body : undefined;
      },
      90_000,
    );
    expect(disabled).toMatchObject({ disabledReason: 'consecutive_failures' });
    const log = await call('GET', `${PATH}/${id}/deliveries`, admin);
    expect(log.body.deliveries[0]).toMatchObject({ status: 'pending', lastStatus: 500, lastError: 'HTTP 500' });
    expect(log.body.deliveries[0]!.attempts).toBeGreaterThanOrEqual(30);

    target.status = 204;
    await receive('FAILING-1', 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(target.of('FAILING-1')).toEqual([]);
    expect((await call('POST', `${PATH}/${id}/enable`, admin)).status).toBe(200);
    await until('the held events', () => (target.of('FAILING-1').length >= 2 ? true : undefined));
    expect(target.of('FAILING-1').map((d) => d.event.data.quantity)).toEqual([1, 2]);
    // Enabled twice is a domain refusal, not a crash.
    expect(await call('POST', `${PATH}/${id}/enable`, admin)).toMatchObject({
      status: 422,
      body: { code: 'webhook_subscription_enabled' },
    });
  });

  it('rotates the secret without overlap: later deliveries verify with the new one only', async () => {
    const target = await receiver();
    const { id, secret } = await subscribe(target.url);
    const rotated = await call('POST', `${PATH}/${id}/rotate`, admin, { overlapSeconds: 0 });
    expect(rotated.status).toBe(200);
    expect(rotated.body).not.toHaveProperty('previousSecretUntil');
    const next = rotated.body.secret as string;
    expect(next).not.toBe(secret);
    await receive('ROTATED-1', 1);
    const [got] = await until('a delivery', () =>
      target.of('ROTATED-1').length > 0 ? target.of('ROTATED-1') : undefined,
    );
    const headers = got!.headers as Record<string, string>;
    expect(() => new Webhook(next).verify(got!.body, headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(got!.body, headers)).toThrow();
    expect((await call('DELETE', `${PATH}/${id}`, admin)).status).toBe(204);
    expect((await call('GET', `${PATH}/${id}`, admin)).status).toBe(404);
  });

  it('rotates with an overlap: both secrets verify during it, only the new one after', async () => {
    const target = await receiver();
    const { id, secret: old } = await subscribe(target.url);
    const rotatedAt = Date.now();
    const rotated = await call('POST', `${PATH}/${id}/rotate`, admin, { overlapSeconds: 3 });
    expect(rotated.status).toBe(200);
    const until_ = Date.parse(String((rotated.body as Body & { previousSecretUntil?: string }).previousSecretUntil));
    expect(until_).toBeGreaterThanOrEqual(rotatedAt + 2_000);
    expect(until_).toBeLessThanOrEqual(Date.now() + 3_000);
    const next = rotated.body.secret!;
    const verifies = (secret: string, delivery: Delivery) => {
      try {
        new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    };

    await receive('OVERLAP-1', 1);
    const [during] = await until('a delivery during the overlap', () =>
      target.of('OVERLAP-1').length > 0 ? target.of('OVERLAP-1') : undefined,
    );
    expect(Date.now()).toBeLessThan(until_);
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // A receiver that still holds the old secret and one that already switched both accept it.
    expect([verifies(old, during!), verifies(next, during!)]).toEqual([true, true]);

    await new Promise((resolve) => setTimeout(resolve, until_ - Date.now() + 100));
    await receive('OVERLAP-1', 2);
    const after = (
      await until('a delivery after the overlap', () =>
        target.of('OVERLAP-1').length > 1 ? target.of('OVERLAP-1') : undefined,
      )
    )[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect([verifies(old, after), verifies(next, after)]).toEqual([false, true]);
    // The dispatcher ends the overlap: the previous secret is dropped from the subscription's state.
    await until('the overlap ended', async () => {
      const shown = await call('GET', `${PATH}/${id}`, admin);
      return 'previousSecretUntil' in shown.body ? undefined : true;
    });

    // Without overlapSeconds, the configured default: 24 h.
    const byDefault = await call('POST', `${PATH}/${id}/rotate`, admin, {});
    const defaultUntil = Date.parse(
      String((byDefault.body as Body & { previousSecretUntil?: string }).previousSecretUntil),
    );
    expect(Math.abs(defaultUntil - Date.now() - 86_400_000)).toBeLessThan(60_000);
  });

  it('refuses a bad overlap as problem+json and changes nothing; the rotate route is guarded as the others', async () => {
    const target = await receiver();
    const { id, secret } = await subscribe(target.url);
    for (const overlapSeconds of [-1, 2_592_001, 1.5, '60']) {
      const answer = await call('POST', `${PATH}/${id}/rotate`, admin, { overlapSeconds });
      expect([overlapSeconds, answer.status, answer.body.code]).toEqual([overlapSeconds, 400, 'validation_failed']);
      expect(answer.type).toMatch(/application\/problem\+json/);
    }
    const writer = await platform.credential({ tenant: TENANT, roles: ['writer:inventory'] });
    const stranger = await platform.credential({ tenant: 'elsewhere', roles: ['admin'] });
    expect(await call('POST', `${PATH}/${id}/rotate`, {}, { overlapSeconds: 60 })).toMatchObject({ status: 401 });
    expect(await call('POST', `${PATH}/${id}/rotate`, writer, { overlapSeconds: 60 })).toMatchObject({
      status: 403,
      body: { code: 'insufficient_permission' },
    });
    expect(await call('POST', `${PATH}/${id}/rotate`, stranger, { overlapSeconds: 60 })).toMatchObject({
      status: 404,
      body: { code: 'unknown_webhook_subscription' },
    });
    // Nothing was rotated: the original secret alone still signs.
    await receive('UNROTATED-1', 1);
    const [got] = await until('a delivery', () =>
      target.of('UNROTATED-1').length > 0 ? target.of('UNROTATED-1') : undefined,
    );
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>)).not.toThrow();
  });

  it('does the same by CLI: create prints the secret alone on the last line, list, deliveries, delete', async () => {
    const target = await receiver();
    const out: string[] = [];
    const io = {
      env: { VERITY_GATEWAY_URL: platform.urls.gateway!, VERITY_API_KEY: admin.authorization!.slice('Bearer '.length) },
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => true },
    };
    const cli = async (...args: string[]) => {
      out.length = 0;
      expect(await runWebhookSubscriptions(args, io)).toBe(0);
      return out.join('');
    };
    const created = await cli('create', '--url', target.url, '--events', STOCK_RECEIVED, '--stream', `${TENANT}/CLI-1`);
    const secret = created.trimEnd().split('\n').at(-1)!;
    const id = /subscription (whs_[a-z2-7]{16})/.exec(created)![1]!;
    expect(secret).toMatch(/^whsec_/);
    await receive('CLI-2', 1);
    await receive('CLI-1', 2);
    await until('the CLI-1 delivery', () => (target.deliveries.length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The stream filter: only CLI-1's event.
    expect(target.deliveries.map((d) => d.event.subject)).toEqual([`${TENANT}/CLI-1`]);
    expect(() =>
      new Webhook(secret).verify(target.deliveries[0]!.body, target.deliveries[0]!.headers as Record<string, string>),
    ).not.toThrow();
    expect(await cli('list')).toContain(id);
    expect(await cli('deliveries', id)).toMatch(/delivered/);
    const rotated = await cli('rotate', id, '--overlap', '600');
    expect(rotated).toMatch(/and with the previous one too until \d{4}-/);
    expect(rotated.trimEnd().split('\n').at(-1)).toMatch(/^whsec_/);
    expect(await cli('delete', id)).toContain(`subscription ${id} deleted`);
    await expect(runWebhookSubscriptions(['show', id], io)).rejects.toMatchObject({
      code: 'unknown_webhook_subscription',
    });
  });

  it('refuses without a credential, without admin of access, another tenant, and bad input, as problem+json', async () => {
    const target = await receiver();
    const { id } = await subscribe(target.url);
    const writer = await platform.credential({ tenant: TENANT, roles: ['writer:inventory'] });
    const stranger = await platform.credential({ tenant: 'elsewhere', roles: ['admin'] });
    const body = { url: target.url, eventTypes: [STOCK_RECEIVED] };

    const anonymous = await call('POST', PATH, {}, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toMatch(/application\/problem\+json/);
    expect((await call('GET', PATH, {})).status).toBe(401);
    expect(await call('POST', PATH, writer, body)).toMatchObject({
      status: 403,
      body: { code: 'insufficient_permission' },
    });
    expect((await call('GET', `${PATH}/${id}/deliveries`, writer)).status).toBe(403);
    for (const [method, path] of [
      ['GET', `${PATH}/${id}`],
      ['DELETE', `${PATH}/${id}`],
      ['GET', `${PATH}/${id}/deliveries`],
      ['POST', `${PATH}/${id}/enable`],
    ] as const)
      expect(await call(method, path, stranger)).toMatchObject({
        status: 404,
        body: { code: 'unknown_webhook_subscription' },
      });
    expect((await call('GET', PATH, stranger)).body.subscriptions).toEqual([]);

    const bad = async (input: unknown, code: string) => {
      const answer = await call('POST', PATH, admin, input);
      expect([answer.status, answer.body.code]).toEqual([400, code]);
      expect(answer.type).toMatch(/application\/problem\+json/);
    };
    await bad({ ...body, eventTypes: ['verity.inventory.NoSuchEvent'] }, 'unknown_event_type');
    await bad({ ...body, eventTypes: ['verity.access.ApiKeyIssued'] }, 'unknown_event_type');
    await bad({ eventTypes: [STOCK_RECEIVED] }, 'validation_failed');
    await bad({ ...body, secret: 'not-a-secret' }, 'validation_failed');
    await bad({ ...body, url: 'ftp://example.com/' }, 'endpoint_refused');
    expect(await call('GET', `${PATH}/${id}/deliveries?limit=0`, admin)).toMatchObject({ status: 400 });
    expect(await call('POST', `${PATH}/${id}/deliveries/999999/redeliver`, admin)).toMatchObject({
      status: 404,
      body: { code: 'unknown_delivery' },
    });
    expect(await call('POST', PATH, admin, { ...body, streamId: 'elsewhere/SKU' })).toMatchObject({
      status: 422,
      body: { code: 'stream_of_another_tenant' },
    });
    // Nothing of that was created.
    const listed = await call('GET', PATH, admin);
    expect(listed.body.subscriptions.filter((s: { url: string }) => s.url === target.url)).toHaveLength(1);
  });

  it('refuses private and loopback endpoints unless the configuration allows them', async () => {
    const strict: NamedService = createService('gateway', {
      ...platform.env,
      VERITY_WEBHOOKS_ALLOW_PRIVATE: 'false',
      VERITY_WEBHOOKS_ALLOW_HTTP: 'false',
    });
    const base = (await strict.start()).url;
    try {
      for (const url of [
        'https://127.0.0.1/hooks',
        'https://localhost/hooks',
        'https://10.0.0.8/hooks',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/hooks',
        'http://hooks.example.com/',
      ]) {
        const answer = await call('POST', PATH, admin, { url, eventTypes: [STOCK_RECEIVED] }, base);
        expect([url, answer.status, answer.body.code]).toEqual([url, 400, 'endpoint_refused']);
      }
    } finally {
      await strict.stop();
    }
  });

  describe('verity replay --target webhook:<subscription>', () => {
    const replay = (...args: string[]) =>
      runCli(
        platform.env,
        'replay',
        '--context',
        'inventory',
        '--from',
        '0',
        '--to',
        new Date().toISOString(),
        ...args,
      );
    const deliveryCount = async (id: string) =>
      (await call('GET', `${PATH}/${id}/deliveries`, admin)).body.deliveries.length;

    it("redelivers a stream's history from before the subscription, signed and in order", async () => {
      // Events of the stream, and of another, before the subscription exists: it is not sent them.
      await receive('REPLAYED-1', 1);
      await receive('REPLAYED-2', 9);
      await receive('REPLAYED-1', 2);
      await receive('REPLAYED-1', 3);
      const target = await receiver();
      const { id, secret } = await subscribe(target.url);
      const run = await replay('--stream', `${TENANT}/REPLAYED-1`, '--target', `webhook:${id}`);
      expect(run).toMatchObject({ code: 0 });
      expect(run.stderr).toMatch(new RegExp(`queued 3 deliveries to ${id} in [\\d.]+ s`));
      expect(run.stderr).toMatch(/offsets \(100\.0%\)/);
      const got = await until('three replayed deliveries', () =>
        target.of('REPLAYED-1').length >= 3 ? target.of('REPLAYED-1') : undefined,
      );
      expect(got.map((d) => d.event.data.quantity)).toEqual([1, 2, 3]);
      expect(got.map((d) => d.event.streamversion)).toEqual([1, 2, 3]);
      const verifier = new Webhook(secret);
      for (const delivery of got) {
        expect(() => verifier.verify(delivery.body, delivery.headers as Record<string, string>)).not.toThrow();
        expect(delivery.headers['webhook-id']).toBe(delivery.event.id);
      }
      expect(target.of('REPLAYED-2')).toEqual([]);
      expect(await deliveryCount(id)).toBe(3);
    });

    it('refuses an unknown subscription, another tenant and the access context by name, queuing nothing', async () => {
      const target = await receiver();
      const { id } = await subscribe(target.url);
      const cases: [string[], string, number][] = [
        [['--target', 'webhook:whs_aaaaaaaaaaaaaaaa'], 'unknown_subscription', 1],
        [['--tenant', 'globex', '--target', `webhook:${id}`], 'subscription_tenant_mismatch', 1],
        [['--stream', 'globex/SKU-1', '--target', `webhook:${id}`], 'subscription_tenant_mismatch', 1],
        [['--target', 'webhook:nope'], 'usage', 2],
      ];
      for (const [args, code, exit] of cases) {
        const run = await replay(...args);
        expect({ args, exit: run.code, named: run.stderr.includes(`[${code}]`) }).toEqual({ args, exit, named: true });
      }
      const access = await runCli(
        platform.env,
        'replay',
        '--context',
        'access',
        '--from',
        '0',
        '--to',
        '1',
        '--target',
        `webhook:${id}`,
      );
      expect({ code: access.code, named: access.stderr.includes('[undeliverable_context]') }).toEqual({
        code: 1,
        named: true,
      });
      expect(await deliveryCount(id)).toBe(0);
    });
  });
});
