import { shopifySignatureHeaders, standardWebhooksHeaders } from '@verity/connector-webhooks';
import { freePort } from './launcher/free-port';
import { serviceMain } from './services';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';
import { runWebhooks } from './webhooks-command';

/**
 * The logs never hold a webhook secret: the ingestor and the processor (which decides the access
 * commands carrying them, sealed) run as child processes logging at debug, every line captured,
 * while secrets are set, used, tampered with and removed; then each secret, its key in base64
 * and hex, and the key-encryption key are looked for in them.
 */
describe('webhook secrets in the logs', () => {
  let platform: TestPlatform;
  const children: ChildService[] = [];
  let ingestor: string;

  beforeAll(async () => {
    platform = await startTestPlatform([]);
    const ports = {
      'command-processor': 'VERITY_COMMAND_PROCESSOR_PORT',
      'webhook-ingestor': 'VERITY_WEBHOOK_INGESTOR_PORT',
    };
    for (const [name, variable] of Object.entries(ports) as [keyof typeof ports, string][]) {
      const port = await freePort();
      const child = childService(name, serviceMain(name), {
        ...platform.env,
        VERITY_LOG_LEVEL: 'debug',
        [variable]: String(port),
      });
      children.push(child);
      child.start();
      await eventually(
        async () => {
          child.assertAlive();
          const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        },
        90_000,
        `${name} ready`,
      );
      if (name === 'webhook-ingestor') ingestor = `http://127.0.0.1:${port}`;
    }
  }, 200_000);
  afterAll(async () => {
    for (const child of children) await child.stop();
    await platform?.stop();
  });

  const secretOf = async (args: string[]): Promise<{ secret: string; id: string }> => {
    const out: string[] = [];
    const code = await runWebhooks(['secret', 'set', ...args], {
      env: platform.env,
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => true },
    });
    expect(code).toBe(0);
    const text = out.join('');
    return { secret: text.trimEnd().split('\n').at(-1)!, id: /^secret id:\s+(\S+)$/m.exec(text)![1]! };
  };

  it('hold no secret, key or key-encryption key, whatever the deliveries', async () => {
    try {
      const netsuite = await secretOf(['--tenant', 'acme', '--source', 'netsuite']);
      const shopify = await secretOf([
        '--tenant',
        'acme',
        '--source',
        'shopify',
        '--shop-domain',
        'acme.myshopify.com',
      ]);
      const body = JSON.stringify({
        event: 'inventory.updated',
        timestamp: '2025-07-15T10:30:00Z',
        data: { sku: 'LOGGED', quantity: 1 },
      });
      const post = (path: string, headers: Record<string, string>, raw = body) =>
        fetch(`${ingestor}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: raw,
        });
      const standard = '/webhooks/netsuite/inventory-change?tenant=acme';
      await eventually(async () =>
        (await post(standard, standardWebhooksHeaders(netsuite.secret, 'm1', body))).status === 202 ? true : undefined,
      );
      const level = JSON.stringify({ location_id: 1, available: 1, updated_at: '2025-07-15T10:30:00Z', sku: 'LOGGED' });
      const shop = { 'x-shopify-shop-domain': 'acme.myshopify.com', 'x-shopify-webhook-id': 's1' };
      await eventually(async () =>
        (
          await post(
            '/webhooks/shopify/inventory_levels/update',
            { ...shop, ...shopifySignatureHeaders(shopify.secret, level) },
            level,
          )
        ).status === 202
          ? true
          : undefined,
      );
      const statuses = [
        (await post(standard, standardWebhooksHeaders(netsuite.secret, 'm2', body), `${body} `)).status,
        (await post(standard, standardWebhooksHeaders(netsuite.secret, 'm3', body, new Date(Date.now() - 600_000))))
          .status,
        (
          await post(
            '/webhooks/shopify/inventory_levels/update',
            { ...shop, ...shopifySignatureHeaders(shopify.secret, body) },
            level,
          )
        ).status,
        (await post(standard, standardWebhooksHeaders(netsuite.secret, 'm4', '{"event":1}'), '{"event":1}')).status,
      ];
      expect(statuses).toEqual([401, 401, 401, 400]);
      const removed = await runWebhooks(['secret', 'remove', netsuite.id], {
        env: platform.env,
        stdout: { write: () => true },
        stderr: { write: () => true },
      });
      expect(removed).toBe(0);

      for (const child of children) await child.stop();
      const logs = children.map((child) => ({ name: child.name, output: child.output() }));
      // The logs are there to search: the deliveries have their lines.
      expect(logs.map((l) => l.output).join('\n')).toContain('request completed');
      const keyOf = (secret: string) => Buffer.from(secret.slice('whsec_'.length), 'base64');
      const secrets = {
        'netsuite secret': netsuite.secret.slice('whsec_'.length),
        'netsuite key (hex)': keyOf(netsuite.secret).toString('hex'),
        'netsuite key (base64url)': keyOf(netsuite.secret).toString('base64url'),
        'shopify secret': shopify.secret.slice('whsec_'.length),
        'key-encryption key': platform.env.VERITY_SECRETS_KEY!,
      };
      const found = logs.flatMap(({ name, output }) =>
        Object.entries(secrets)
          .filter(([, value]) => output.includes(value))
          .map(([what]) => `${what} in the logs of ${name}`),
      );
      expect(found).toEqual([]);
    } catch (error) {
      appendOutputTails(error, children, 4000);
      throw error;
    }
  });
});
