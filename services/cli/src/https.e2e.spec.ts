import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { createService } from './services';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

/** The query-api's VERITY_QUERY_DATABASE_URL by default (the CLI may not import the query-api to parse it). */
const LOCAL_READER_URL = 'postgres://verity_reader:verity_reader@127.0.0.1:5442/verity';

/** GETs a URL over TLS, trusting only `ca`. */
function getTrusting(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a service given VERITY_TLS_CERT and VERITY_TLS_KEY', () => {
  let platform: TestPlatform;
  let cert: string;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    cert = pems.cert;
    const dir = mkdtempSync(join(tmpdir(), 'verity-tls-'));
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
    platform = await startTestPlatform(['query-api'], {
      env: { VERITY_TLS_CERT: join(dir, 'cert.pem'), VERITY_TLS_KEY: join(dir, 'key.pem') },
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('answers /health over HTTPS with that certificate, and not in clear text', async () => {
    const url = platform.urls['query-api']!;
    expect(url).toMatch(/^https:\/\/localhost:\d+$/);
    const health = await getTrusting(`${url}/health`, cert);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'up', service: 'query-api' });
    // A client that does not trust the certificate fails the handshake; plain HTTP gets no answer.
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await expect(fetch(`${url.replace('https:', 'http:')}/health`)).rejects.toThrow();
  });

  // The broker listens in plain text: a client that speaks TLS, or SASL first, is cut off saying so.
  it.each([
    ['TLS', { VERITY_KAFKA_SSL: 'true' }, /secure TLS connection/],
    [
      'SCRAM',
      {
        VERITY_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        VERITY_KAFKA_SASL_USERNAME: 'verity',
        VERITY_KAFKA_SASL_PASSWORD: 'not-a-password',
      },
      /SASL state/,
    ],
  ])(
    "takes Kafka's %s from the environment: against the local plaintext broker, no start",
    async (_kind, kafkaEnv, refusal) => {
      const gateway = createService('gateway', { ...platform.env, ...kafkaEnv });
      try {
        await expect(gateway.start()).rejects.toThrow(refusal);
      } finally {
        // Its clients never connected: stopping them may fail, and that is not what is tested.
        await gateway.stop().catch(() => undefined);
      }
    },
    120_000,
  );

  it("takes PostgreSQL's TLS from the connection string's sslmode", async () => {
    /** The postgres check of a query-api's /ready. */
    const postgresCheck = async (url: string) => {
      const ready = JSON.parse((await getTrusting(`${url}/ready`, cert)).body) as {
        checks: { name: string; status: string; detail?: string }[];
      };
      return ready.checks.find((c) => c.name === 'postgres');
    };
    expect(await postgresCheck(platform.urls['query-api']!)).toMatchObject({ status: 'up' });
    // The local PostgreSQL has no TLS: a client that requires it connects to nothing.
    const database = new URL(platform.env.VERITY_QUERY_DATABASE_URL ?? LOCAL_READER_URL);
    database.searchParams.set('sslmode', 'require');
    const requiring = createService('query-api', { ...platform.env, VERITY_QUERY_DATABASE_URL: database.href });
    try {
      const check = await postgresCheck((await requiring.start()).url);
      expect(check).toMatchObject({ status: 'down', detail: expect.stringMatching(/SSL/) });
    } finally {
      await requiring.stop();
    }
  });
});
