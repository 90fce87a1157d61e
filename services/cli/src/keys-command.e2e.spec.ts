import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { apiKeysOf, type ApiKeyView } from '@verity/domain';
import { contextTopics } from '@verity/events';
import { StateKeyDirectory, parseApiKey, parseEnv, platformEnvSchema, verifySecret } from '@verity/service-kit';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

/** Runs the built CLI as a user would, with the suite's topic prefix. */
function verity(platform: TestPlatform, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: platform.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const lastLine = (stdout: string): string => stdout.trimEnd().split('\n').at(-1)!;

describe('verity keys against the processor', () => {
  let platform: TestPlatform;
  let directory: StateKeyDirectory<ApiKeyView>;

  /** Whether the key is one the directory would accept: its secret verifies, not revoked, not expired. */
  const valid = async (key: string): Promise<boolean> => {
    await directory.catchUp();
    const parsed = parseApiKey(key);
    const record = parsed && directory.lookup(parsed.keyId);
    return (
      !!record &&
      record.revokedAt === undefined &&
      (record.expiresAt === undefined || Date.parse(record.expiresAt) > Date.now()) &&
      (await verifySecret(parsed.secret, record.hash))
    );
  };

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    directory = new StateKeyDirectory<ApiKeyView>({
      brokers: parseEnv(platformEnvSchema, platform.env).VERITY_KAFKA_BROKERS,
      admin: platform.admin,
      topic: contextTopics('access', platform.prefix).state,
      clientId: `${platform.prefix}.directory.${randomUUID()}`,
      keysOf: apiKeysOf,
    });
    await directory.start();
  });
  afterAll(async () => {
    await directory?.stop();
    await platform?.stop();
  });

  it('create → list → rotate (both valid) → revoke', async () => {
    const created = await verity(
      platform,
      'keys',
      'create',
      '--tenant',
      'acme',
      '--roles',
      'writer:inventory,reader',
      '--name',
      'ERP connector',
      '--expires',
      '2099-01-01T00:00:00Z',
    );
    expect(created).toMatchObject({ code: 0, stderr: expect.stringContaining('shown once') as unknown });
    const first = lastLine(created.stdout);
    const firstId = parseApiKey(first)?.keyId;
    expect(firstId).toBeDefined();
    expect(created.stdout).toContain(`key id:   ${firstId}\ntenant:   acme\nroles:    writer:inventory,reader\n`);
    expect(await valid(first)).toBe(true);

    const listed = await verity(platform, 'keys', 'list');
    expect(listed.code).toBe(0);
    const [header, row, ...more] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^KEY ID\s+TENANT\s+ROLES\s+NAME\s+STATUS\s+EXPIRES\s+FAMILY$/);
    expect(row).toMatch(
      new RegExp(
        `^${firstId}\\s+acme\\s+writer:inventory,reader\\s+ERP connector\\s+active\\s+2099-01-01T00:00:00.000Z`,
      ),
    );
    expect(more).toEqual([]);
    expect(listed.stdout).not.toContain(directory.lookup(firstId!)!.hash.hash);
    expect((await verity(platform, 'keys', 'list', '--tenant', 'beta')).stdout.trimEnd().split('\n')).toHaveLength(1);

    const rotated = await verity(platform, 'keys', 'rotate', firstId!);
    expect(rotated.code).toBe(0);
    const second = lastLine(rotated.stdout);
    const secondId = parseApiKey(second)?.keyId;
    expect(secondId).toBeDefined();
    expect(secondId).not.toBe(firstId);
    expect(rotated.stdout).toContain(`replaces: ${firstId}`);
    // Old and new valid together, with the family's roles.
    expect([await valid(first), await valid(second)]).toEqual([true, true]);
    expect(directory.lookup(secondId!)).toMatchObject({ tenant: 'acme', roles: ['writer:inventory', 'reader'] });

    const revoked = await verity(platform, 'keys', 'revoke', firstId!);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${firstId} (tenant acme)\n` });
    expect([await valid(first), await valid(second)]).toEqual([false, true]);
    const after = await verity(platform, 'keys', 'list', '--tenant', 'acme');
    expect(after.stdout).toMatch(new RegExp(`${firstId}\\s+acme\\s+\\S+\\s+ERP connector\\s+revoked`));
    expect(after.stdout).toMatch(new RegExp(`${secondId}\\s+acme\\s+\\S+\\s+ERP connector\\s+active`));

    // A later key of the family is revoked through its family, which the CLI finds itself.
    expect((await verity(platform, 'keys', 'revoke', secondId!)).code).toBe(0);
    expect(await valid(second)).toBe(false);
  });

  it('a refused change or an unknown key exits 1 naming it; bad arguments exit 2 with the usage', async () => {
    const created = await verity(platform, 'keys', 'create', '--tenant', 'acme', '--roles', 'reader');
    const keyId = parseApiKey(lastLine(created.stdout))!.keyId;
    expect((await verity(platform, 'keys', 'revoke', keyId)).code).toBe(0);

    const again = await verity(platform, 'keys', 'revoke', keyId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`AccessCommandRejectedError [api_key_revoked]: API key ${keyId} is revoked`);
    const unknown = await verity(platform, 'keys', 'rotate', 'zzzzzzzzzzzzzzzzzzzz');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UnknownApiKeyError [unknown_api_key]: no API key zzzzzzzzzzzzzzzzzzzz');
    const past = await verity(
      platform,
      'keys',
      'create',
      '--tenant',
      'acme',
      '--roles',
      'reader',
      '--expires',
      '2020-01-01T00:00:00Z',
    );
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('[expiry_not_in_future]');
    expect(past.stdout).toBe('');

    const bad = await verity(platform, 'keys', 'create', '--tenant', 'acme', '--roles', 'superuser');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('UsageError [usage]: --roles superuser');
    expect(bad.stderr).toContain('verity keys create --tenant <t> --roles <r,...>');
  });

  it('the gateway does not take access commands on its public route', async () => {
    const res = await postCommand(platform, 'access.IssueApiKey', {
      keyId: 'aaaaaaaaaaaaaaaaaaaa',
      roles: ['platform-operator'],
      secretHash: { salt: 'a'.repeat(22), hash: 'b'.repeat(43) },
    });
    expect(res).toMatchObject({ status: 404, body: { code: 'unknown_command_type' } });
  });
});
