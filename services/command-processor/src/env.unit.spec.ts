import { parseEnv } from '@verity/service-kit';
import { commandProcessorEnvSchema } from './env';

describe('command-processor environment', () => {
  it('serves its probes on 8091 by default', () => {
    expect(parseEnv(commandProcessorEnvSchema, {}).VERITY_COMMAND_PROCESSOR_PORT).toBe(8091);
  });

  it('refuses an invalid topic prefix', () => {
    expect(() => parseEnv(commandProcessorEnvSchema, { VERITY_TOPIC_PREFIX: 'Has Spaces' })).toThrow(/VERITY_TOPIC_PREFIX/);
  });
});
