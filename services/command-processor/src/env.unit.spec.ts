import { parseEnv } from '@verity/service-kit';
import { commandProcessorEnvSchema } from './env';

describe('command-processor environment', () => {
  it('serves its probes on 8091 by default', () => {
    expect(parseEnv(commandProcessorEnvSchema, {}).VERITY_COMMAND_PROCESSOR_PORT).toBe(8091);
  });

  it('checks the streams for due timers every second by default, or as often as VERITY_TIMER_INTERVAL_MS says', () => {
    expect(parseEnv(commandProcessorEnvSchema, {}).VERITY_TIMER_INTERVAL_MS).toBe(1000);
    expect(parseEnv(commandProcessorEnvSchema, { VERITY_TIMER_INTERVAL_MS: '200' }).VERITY_TIMER_INTERVAL_MS).toBe(200);
    for (const wrong of ['0', '-5', '1.5', 'soon', '3600001']) {
      expect(() => parseEnv(commandProcessorEnvSchema, { VERITY_TIMER_INTERVAL_MS: wrong })).toThrow(
        /VERITY_TIMER_INTERVAL_MS/,
      );
    }
  });

  it('keeps its local state under .verity/state with 32 MiB of snapshots in memory by default', () => {
    const env = parseEnv(commandProcessorEnvSchema, {});
    expect(env.VERITY_STATE_DIR).toBe('.verity/state');
    expect(env.VERITY_STATE_CACHE_MB).toBe(32);
    for (const wrong of ['0', 'lots', '1.5'])
      expect(() => parseEnv(commandProcessorEnvSchema, { VERITY_STATE_CACHE_MB: wrong })).toThrow(
        /VERITY_STATE_CACHE_MB/,
      );
  });

  it('refuses an invalid topic prefix', () => {
    expect(() => parseEnv(commandProcessorEnvSchema, { VERITY_TOPIC_PREFIX: 'Has Spaces' })).toThrow(
      /VERITY_TOPIC_PREFIX/,
    );
  });
});
