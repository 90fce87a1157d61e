import { request } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { librdkafkaSecurity, kafkajsSecurity } from '@verity/events';
import pino from 'pino';
import { Registry } from 'prom-client';
import { generate } from 'selfsigned';
import { InvalidConfigurationError } from './config-error';
import { createHttpApp } from './http-app';
import { parseEnv, platformEnvSchema } from './platform-env';
import { listen } from './server';
import { kafkaSecurity, tlsFiles } from './transport-env';

describe('transport settings from the environment', () => {
  it('defaults to plain HTTP and plaintext Kafka with Node-like limits', () => {
    const env = parseEnv(platformEnvSchema, {});
    expect(env).toMatchObject({
      VERITY_KAFKA_SSL: false,
      VERITY_HTTP_MAX_HEADER_BYTES: 16384,
      VERITY_HTTP_REQUEST_TIMEOUT_MS: 30_000,
      VERITY_HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
    });
    expect(tlsFiles(env)).toBeUndefined();
    expect(kafkaSecurity(env)).toBeUndefined();
  });

  it('reads TLS and SCRAM settings for both Kafka clients', () => {
    const env = parseEnv(platformEnvSchema, {
      VERITY_KAFKA_SSL: 'true',
      VERITY_KAFKA_SSL_CA: '/etc/verity/ca.pem',
      VERITY_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      VERITY_KAFKA_SASL_USERNAME: 'verity',
      VERITY_KAFKA_SASL_PASSWORD: 's3cret',
    });
    const security = kafkaSecurity(env);
    expect(security).toEqual({
      ssl: true,
      caFile: '/etc/verity/ca.pem',
      sasl: { mechanism: 'scram-sha-512', username: 'verity', password: 's3cret' },
    });
    expect(librdkafkaSecurity(security)).toEqual({
      'security.protocol': 'sasl_ssl',
      'ssl.ca.location': '/etc/verity/ca.pem',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'verity',
      'sasl.password': 's3cret',
    });
  });

  it('gives kafkajs the CA file contents, and SASL without TLS as sasl_plaintext to librdkafka', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    expect(kafkajsSecurity({ ssl: true, caFile: join(dir, 'ca.pem') })).toEqual({ ssl: { ca: ['PEM'] } });
    const sasl = { mechanism: 'scram-sha-256' as const, username: 'u', password: 'p' };
    expect(kafkajsSecurity({ ssl: false, sasl })).toEqual({ sasl });
    expect(librdkafkaSecurity({ ssl: false, sasl })['security.protocol']).toBe('sasl_plaintext');
    expect(kafkajsSecurity(undefined)).toEqual({});
  });

  it('names every missing or contradictory setting', () => {
    const env = parseEnv(platformEnvSchema, {
      VERITY_KAFKA_SSL_CA: '/ca.pem',
      VERITY_KAFKA_SASL_MECHANISM: 'scram-sha-256',
    });
    expect(() => kafkaSecurity(env)).toThrow(InvalidConfigurationError);
    expect(() => kafkaSecurity(env)).toThrow(
      /VERITY_KAFKA_SASL_USERNAME.*VERITY_KAFKA_SASL_PASSWORD.*VERITY_KAFKA_SSL_CA/,
    );
    expect(() => tlsFiles({ VERITY_TLS_CERT: '/cert.pem' })).toThrow(/VERITY_TLS_CERT and VERITY_TLS_KEY/);
    expect(() => parseEnv(platformEnvSchema, { VERITY_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      /VERITY_KAFKA_SASL_MECHANISM/,
    );
    expect(() => parseEnv(platformEnvSchema, { VERITY_HTTP_MAX_HEADER_BYTES: '10' })).toThrow(
      /VERITY_HTTP_MAX_HEADER_BYTES/,
    );
  });
});

describe('HTTPS', () => {
  it('serves /health over TLS with the certificate and key it is given', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'verity-tls-'));
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    writeFileSync(join(dir, 'key.pem'), pems.private);
    const app = createHttpApp(
      { service: 'tls-test', logger: pino({ level: 'silent' }), metrics: new Registry(), readiness: async () => [] },
      () => undefined,
    );
    const env = parseEnv(platformEnvSchema, {
      VERITY_TLS_CERT: join(dir, 'cert.pem'),
      VERITY_TLS_KEY: join(dir, 'key.pem'),
    });
    const server = await listen(app, 0, { ...env, host: '127.0.0.1' });
    try {
      expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${server.url}/health`, { ca: pems.cert }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ status: 'up', service: 'tls-test' });
      // A client that does not trust the certificate is refused by TLS, not answered in clear.
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
