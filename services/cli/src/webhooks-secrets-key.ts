import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { newSecretsKey, secretsKeyOf } from '@verity/core';

/**
 * Where a local platform keeps its key-encryption key of webhook secrets when
 * `VERITY_SECRETS_KEY` is not set (`.verity/` is git-ignored); `VERITY_SECRETS_KEY_FILE` names
 * another file. `verity up` and `verity webhooks` share it, so what one seals the other opens.
 */
export const LOCAL_SECRETS_KEY_FILE = '.verity/secrets-key';

/**
 * `env` with `VERITY_SECRETS_KEY`: its own, else the local file's, else a new key written there
 * (owner read and write only). A deployment sets the variable from its secret store.
 */
export async function withSecretsKey(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  if (env.VERITY_SECRETS_KEY) return env;
  const file = env.VERITY_SECRETS_KEY_FILE ?? LOCAL_SECRETS_KEY_FILE;
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (stored) {
    secretsKeyOf(stored);
    return { ...env, VERITY_SECRETS_KEY: stored };
  }
  const key = newSecretsKey();
  // The file is owner-only; its folder is not: `.verity/` also holds the local stack's data,
  // whose PostgreSQL runs as another user that must reach its directory through it.
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { ...env, VERITY_SECRETS_KEY: key };
}
