import { parseEnv } from '@verity/service-kit';
import { cdcIngestorEnvSchema } from './env';

describe('cdcIngestorEnvSchema', () => {
  it('defaults: port 8094, a topic refresh of 5 s, the group from the topic prefix', () => {
    const env = parseEnv(cdcIngestorEnvSchema, {});
    expect(env.VERITY_CDC_INGESTOR_PORT).toBe(8094);
    expect(env.VERITY_CDC_TOPIC_REFRESH_MS).toBe(5000);
    expect(env.VERITY_CDC_GROUP_ID).toBeUndefined();
  });

  it('names every wrong variable', () => {
    expect(() =>
      parseEnv(cdcIngestorEnvSchema, { VERITY_CDC_INGESTOR_PORT: '70000', VERITY_CDC_GROUP_ID: 'Bad Group' }),
    ).toThrow(/VERITY_CDC_INGESTOR_PORT[\s\S]*VERITY_CDC_GROUP_ID|VERITY_CDC_GROUP_ID[\s\S]*VERITY_CDC_INGESTOR_PORT/);
  });
});
