import { parseEnv } from '@verity/service-kit';
import { webhookIngestorEnvSchema } from './env';

const KEY = Buffer.alloc(32, 1).toString('base64');

describe('webhook-ingestor settings', () => {
  it('listen on 8093 and take bodies up to 1 MiB unless told otherwise', () => {
    expect(parseEnv(webhookIngestorEnvSchema, { VERITY_SECRETS_KEY: KEY })).toMatchObject({
      VERITY_WEBHOOK_INGESTOR_PORT: 8093,
      VERITY_WEBHOOK_MAX_BODY_BYTES: 1024 * 1024,
      VERITY_SECRETS_KEY: KEY,
    });
  });

  it('need the key-encryption key of the secrets, 32 bytes, and name every wrong variable', () => {
    expect(() => parseEnv(webhookIngestorEnvSchema, {})).toThrow(
      /VERITY_SECRETS_KEY: required: the base64 of 32 bytes/,
    );
    expect(() =>
      parseEnv(webhookIngestorEnvSchema, {
        VERITY_SECRETS_KEY: Buffer.alloc(16).toString('base64'),
        VERITY_WEBHOOK_INGESTOR_PORT: '70000',
      }),
    ).toThrow(
      /VERITY_SECRETS_KEY: the base64 of 32 bytes.*VERITY_WEBHOOK_INGESTOR_PORT|VERITY_WEBHOOK_INGESTOR_PORT.*VERITY_SECRETS_KEY/s,
    );
  });
});
