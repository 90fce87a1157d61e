import { parseEnv } from '@verity/service-kit';
import { projectorEnvSchema } from './env';

describe('projector environment', () => {
  it('serves its probes on 8092 by default', () => {
    expect(parseEnv(projectorEnvSchema, {}).VERITY_PROJECTOR_PORT).toBe(8092);
  });

  it("knows the query-api's reader role, verity_reader on the local stack by default", () => {
    expect(parseEnv(projectorEnvSchema, {}).VERITY_QUERY_DATABASE_URL).toBe(
      'postgres://verity_reader:verity_reader@127.0.0.1:5442/verity',
    );
  });

  it('applies four partitions at once by default, and refuses zero', () => {
    expect(parseEnv(projectorEnvSchema, {}).VERITY_PROJECTOR_CONCURRENCY).toBe(4);
    expect(parseEnv(projectorEnvSchema, { VERITY_PROJECTOR_CONCURRENCY: '3' }).VERITY_PROJECTOR_CONCURRENCY).toBe(3);
    expect(() => parseEnv(projectorEnvSchema, { VERITY_PROJECTOR_CONCURRENCY: '0' })).toThrow(
      /VERITY_PROJECTOR_CONCURRENCY/,
    );
  });

  it('gathers the outcomes’ fetches for 500 ms by default, up to 5 s, or not at all', () => {
    const gather = (value?: string) =>
      parseEnv(projectorEnvSchema, value === undefined ? {} : { VERITY_OUTCOMES_FETCH_GATHER_MS: value })
        .VERITY_OUTCOMES_FETCH_GATHER_MS;
    expect(gather()).toBe(500);
    expect(gather('0')).toBe(0);
    expect(gather('5000')).toBe(5000);
    expect(() => gather('5001')).toThrow(/VERITY_OUTCOMES_FETCH_GATHER_MS/);
  });

  it('refuses a port out of range', () => {
    expect(() => parseEnv(projectorEnvSchema, { VERITY_PROJECTOR_PORT: '70000' })).toThrow(/VERITY_PROJECTOR_PORT/);
  });
});

describe('projector consumer groups', () => {
  it('has no group prefix override by default and accepts a dotted one', () => {
    expect(parseEnv(projectorEnvSchema, {}).VERITY_PROJECTOR_GROUP_PREFIX).toBeUndefined();
    expect(
      parseEnv(projectorEnvSchema, { VERITY_PROJECTOR_GROUP_PREFIX: 'verity.rebuild-2' }).VERITY_PROJECTOR_GROUP_PREFIX,
    ).toBe('verity.rebuild-2');
  });

  it('refuses a prefix that is not a group name', () => {
    expect(() => parseEnv(projectorEnvSchema, { VERITY_PROJECTOR_GROUP_PREFIX: 'Bad Group' })).toThrow(
      /VERITY_PROJECTOR_GROUP_PREFIX/,
    );
  });
});
