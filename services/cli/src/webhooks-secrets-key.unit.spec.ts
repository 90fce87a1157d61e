import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withSecretsKey } from './webhooks-secrets-key';

describe('the local key-encryption key of webhook secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verity-secrets-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the environment’s when set, and no file is touched', async () => {
    const file = join(dir, 'unused');
    const env = { VERITY_SECRETS_KEY: 'given', VERITY_SECRETS_KEY_FILE: file };
    expect(await withSecretsKey(env)).toBe(env);
    expect(() => statSync(file)).toThrow();
  });

  it('is made once into the file (owner only), then read from it', async () => {
    const file = join(dir, 'nested', 'secrets-key');
    const first = await withSecretsKey({ VERITY_SECRETS_KEY_FILE: file });
    expect(Buffer.from(first.VERITY_SECRETS_KEY!, 'base64')).toHaveLength(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.VERITY_SECRETS_KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Others may pass through its folder (the local stack's PostgreSQL, another user, lives there too).
    expect(statSync(join(dir, 'nested')).mode & 0o001).toBe(0o001);
    expect((await withSecretsKey({ VERITY_SECRETS_KEY_FILE: file })).VERITY_SECRETS_KEY).toBe(first.VERITY_SECRETS_KEY);
  });

  it('refuses a file that holds no 32-byte key', async () => {
    const file = join(dir, 'bad');
    writeFileSync(file, 'c2hvcnQ=\n');
    await expect(withSecretsKey({ VERITY_SECRETS_KEY_FILE: file })).rejects.toThrow(/32 bytes/);
  });
});
