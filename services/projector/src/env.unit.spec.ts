import { parseEnv } from '@verity/service-kit';
import { projectorEnvSchema } from './env';

describe('projector environment', () => {
  it('serves its probes on 8092 by default', () => {
    expect(parseEnv(projectorEnvSchema, {}).VERITY_PROJECTOR_PORT).toBe(8092);
  });

  it('refuses a port out of range', () => {
    expect(() => parseEnv(projectorEnvSchema, { VERITY_PROJECTOR_PORT: '70000' })).toThrow(/VERITY_PROJECTOR_PORT/);
  });
});
