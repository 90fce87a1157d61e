import { localAdminKeyLines, localUpEnv } from './local-admin-key';

describe('localUpEnv', () => {
  it('opens /metrics unless the environment says otherwise', () => {
    expect(localUpEnv({ VERITY_LOG_LEVEL: 'info' })).toEqual({ VERITY_LOG_LEVEL: 'info', VERITY_METRICS_OPEN: 'true' });
    expect(localUpEnv({ VERITY_METRICS_OPEN: 'false' }).VERITY_METRICS_OPEN).toBe('false');
  });
});

describe('localAdminKeyLines', () => {
  const key = `vk_${'a'.repeat(20)}_${'b'.repeat(43)}`;

  it('prints the key alone on its line and a curl that sends it to the gateway', () => {
    const lines = localAdminKeyLines({ key, issued: true }, 'http://localhost:8080', '.verity/local-admin-key').split(
      '\n',
    );
    expect(lines).toContain(`  ${key}`);
    expect(lines).toContain(
      'Issued a local admin key of tenant default (roles admin,reader:metrics), kept in .verity/local-admin-key:',
    );
    expect(lines).toContain('  curl -s -XPOST http://localhost:8080/v1/commands/inventory.ReceiveStock \\');
    expect(lines).toContain(`    -H 'Authorization: Bearer ${key}' -H 'content-type: application/json' \\`);
  });

  it('says when the stored key is used again', () => {
    expect(localAdminKeyLines({ key, issued: false }, 'http://localhost:8080', 'k')).toContain(
      'Using the local admin key of tenant default',
    );
  });
});
