import { parseApiKey } from '@verity/service-kit';
import { runKeys } from './keys-command';
import { freePort } from './launcher/free-port';
import { mintToken } from './sandbox-credentials';
import { serviceMain, type ServiceName } from './services';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

/** Output a child keeps (child-service.ts): a run that logged more would hide its first lines. */
const OUTPUT_LIMIT = 256 * 1024;
const PORT_VARIABLES: Partial<Record<ServiceName, string>> = {
  gateway: 'VERITY_GATEWAY_PORT',
  'query-api': 'VERITY_QUERY_API_PORT',
  'command-processor': 'VERITY_COMMAND_PROCESSOR_PORT',
};

/**
 * The logs of a run never hold a credential: the services that see requests (and the processor,
 * which decides the access commands) run as child processes logging at info, their every line
 * captured, while clients use an API key (as a bearer token and as X-Api-Key) and JWTs, valid
 * and not; then each credential, and each part of it that is secret, is looked for in them.
 */
describe('credentials in the logs', () => {
  let platform: TestPlatform;
  const children: ChildService[] = [];
  const urls: Partial<Record<ServiceName, string>> = {};

  beforeAll(async () => {
    platform = await startTestPlatform(['projector']);
    for (const name of ['command-processor', 'gateway', 'query-api'] as const) {
      const port = await freePort();
      const child = childService(name, serviceMain(name), {
        ...platform.env,
        VERITY_LOG_LEVEL: 'info',
        [PORT_VARIABLES[name]!]: String(port),
      });
      children.push(child);
      urls[name] = `http://127.0.0.1:${port}`;
      child.start();
    }
    for (const [name, url] of Object.entries(urls))
      await eventually(
        async () => {
          for (const child of children) child.assertAlive();
          const res = await fetch(`${url}/ready`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        },
        90_000,
        `${name} ready`,
      );
  }, 150_000);
  afterAll(async () => {
    for (const child of children) await child.stop();
    await platform?.stop();
  });

  it('holds neither an API key, nor its secret, nor a JWT, valid or not, and records an operator acting for a tenant', async () => {
    try {
      // An API key, issued through the access context as an operator does.
      const printed: string[] = [];
      const code = await runKeys(['create', '--tenant', 'acme', '--roles', 'writer', '--name', 'logged-client'], {
        env: platform.env,
        stdout: { write: (text: string) => printed.push(text) },
        stderr: { write: () => true },
      });
      expect(code).toBe(0);
      const key = printed.join('').trimEnd().split('\n').at(-1)!;
      const { keyId, secret } = parseApiKey(key)!;
      const jwt = await mintToken(platform.env, { tenant: 'acme', roles: ['writer'], subject: 'logged-user' });
      const expired = await mintToken(platform.env, { tenant: 'acme', expiresInS: -600 });
      const [head, payload, signature] = jwt.split('.') as [string, string, string];
      const tampered = `${head}.${payload}.${signature.slice(0, -4)}AAAA`;
      const wrongSecret = `vk_${keyId}_${'x'.repeat(43)}`;
      const credentials: Record<string, string>[] = [
        { authorization: `Bearer ${key}` },
        { 'x-api-key': key },
        { authorization: `Bearer ${jwt}` },
        { authorization: `Bearer ${expired}` },
        { authorization: `Bearer ${tampered}` },
        { authorization: `Bearer ${wrongSecret}` },
        { 'x-api-key': wrongSecret },
        { authorization: `Basic ${Buffer.from(`acme:${secret}`).toString('base64')}` },
      ];

      // The key is valid once the gateway's key directory holds it.
      await eventually(
        async () => {
          const res = await fetch(`${urls['query-api']}/v1/inventory/SKU-LOGGED`, {
            headers: { authorization: `Bearer ${key}` },
          });
          return res.status === 404 ? true : undefined;
        },
        30_000,
        'the API key accepted',
      );
      const statuses: number[] = [];
      for (const [n, credential] of credentials.entries()) {
        const command = await fetch(`${urls.gateway}/v1/commands/inventory.ReceiveStock`, {
          method: 'POST',
          headers: { ...credential, 'content-type': 'application/json', 'X-Tenant-Id': 'acme' },
          body: JSON.stringify({ sku: 'SKU-LOGGED', location: 'berlin', quantity: n + 1 }),
        });
        const read = await fetch(`${urls['query-api']}/v1/inventory/SKU-LOGGED`, { headers: credential });
        const graphql = await fetch(`${urls['query-api']}/graphql`, {
          method: 'POST',
          headers: { ...credential, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ stock(sku: "SKU-LOGGED") { version } }' }),
        });
        statuses.push(command.status, read.status, graphql.status);
      }
      // The valid ones were served, the others refused: the requests reached the credential checks.
      expect(statuses.slice(0, 9).filter((s) => s === 401 || s === 403 || s >= 500)).toEqual([]);
      expect(statuses.slice(9).filter((s) => s !== 401)).toEqual([]);

      // A platform operator reading and writing for another tenant: recorded, whatever the log level.
      const operator = {
        authorization: `Bearer ${await mintToken(platform.env, {
          tenant: 'platform',
          roles: ['platform-operator', 'writer'],
          subject: 'ops-7',
        })}`,
        'X-Tenant-Id': 'acme',
      };
      const operatorRead = await fetch(`${urls['query-api']}/v1/inventory/SKU-LOGGED`, { headers: operator });
      const operatorWrite = await fetch(`${urls.gateway}/v1/commands/inventory.ReceiveStock`, {
        method: 'POST',
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify({ sku: 'SKU-LOGGED', location: 'berlin', quantity: 1 }),
      });
      // Served (the stock may not be projected yet): past the credential and tenant checks.
      expect([200, 404]).toContain(operatorRead.status);
      expect(operatorWrite.status).toBe(200);

      // Stopped first, so everything they logged is flushed.
      for (const child of children) await child.stop();
      const logs = children.map((child) => ({ name: child.name, output: child.output() }));
      for (const { output } of logs) expect(output.length).toBeLessThan(OUTPUT_LIMIT);
      // The logs are there to search: every request and every refusal has its line.
      const all = logs.map((l) => l.output).join('\n');
      expect(all).toContain('request completed');
      expect(all).toContain('credential refused');
      const operatorLines = logs.flatMap(({ name, output }) =>
        output
          .split('\n')
          .filter((line) => line.includes('platform operator acted for another tenant'))
          // Each line is tagged `[<service> #<run>] ` before its JSON.
          .map((line) => ({
            name,
            ...(JSON.parse(line.slice(line.indexOf('{'))) as { operator?: string; tenant?: string }),
          })),
      );
      expect(operatorLines.map(({ name, operator, tenant }) => ({ name, operator, tenant }))).toEqual([
        { name: 'gateway', operator: 'ops-7', tenant: 'acme' },
        { name: 'query-api', operator: 'ops-7', tenant: 'acme' },
      ]);

      const secrets = {
        key,
        secret,
        jwt,
        'jwt signature': signature,
        expired,
        tampered,
        'wrong secret': wrongSecret.slice(`vk_${keyId}_`.length),
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
  }, 120_000);
});
