import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { accessContext, apiKeysOf, type ApiKeyView } from '@verity/domain';
import { contextTopicConfigs, contextTopics, ensureTopics } from '@verity/events';
import {
  StateKeyDirectory,
  createPlatform,
  parseApiKey,
  parseEnv,
  platformEnvSchema,
  verifySecret,
} from '@verity/service-kit';
import { runKeys } from '../keys-command';

/**
 * Where `verity up` keeps the local admin key, relative to where it runs (`.verity/` is
 * git-ignored); `VERITY_LOCAL_ADMIN_KEY_FILE` names another file.
 */
export const LOCAL_ADMIN_KEY_FILE = '.verity/local-admin-key';
export const LOCAL_TENANT = 'default';
/** Everything in tenant `default`, and the metrics, which a tenant's admin alone may not read. */
export const LOCAL_ADMIN_ROLES = ['admin', 'reader:metrics'];
const LOCAL_KEY_NAME = 'local-admin';

/** The environment of a local `verity up`: metrics open to a local scraper unless the environment says otherwise. */
export function localUpEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { VERITY_METRICS_OPEN: 'true', ...env };
}

export interface LocalAdminKey {
  key: string;
  /** False when the stored key was still valid and is used again. */
  issued: boolean;
}

/** Whether the key directory of `env`'s platform holds `key` as a valid key of the local tenant. */
async function stillValid(env: NodeJS.ProcessEnv, key: string): Promise<boolean> {
  const parsed = parseApiKey(key);
  if (!parsed) return false;
  const config = parseEnv(platformEnvSchema, env);
  const platform = createPlatform('cli-local-key', { ...config, VERITY_LOG_LEVEL: 'silent' });
  const admin = platform.kafka.admin();
  await admin.connect();
  const topics = contextTopics(accessContext.name, config.VERITY_TOPIC_PREFIX);
  const directory = new StateKeyDirectory<ApiKeyView>({
    brokers: config.VERITY_KAFKA_BROKERS,
    admin,
    topic: topics.state,
    clientId: `${config.VERITY_TOPIC_PREFIX}.cli-local-key.${randomUUID()}`,
    keysOf: apiKeysOf,
  });
  try {
    // As `verity keys` does: the access topics may not exist yet on a new stack.
    await ensureTopics(admin, contextTopicConfigs(topics, config.VERITY_PARTITIONS), config.VERITY_REPLICATION_FACTOR);
    await directory.start();
    const known = directory.lookup(parsed.keyId);
    return (
      known !== undefined &&
      known.tenant === LOCAL_TENANT &&
      known.revokedAt === undefined &&
      (known.expiresAt === undefined || Date.parse(known.expiresAt) > Date.now()) &&
      (await verifySecret(parsed.secret, known.hash))
    );
  } finally {
    await directory.stop();
    await admin.disconnect();
  }
}

/** A new admin key of the local tenant, issued through the access context as `verity keys create` does. */
async function issue(env: NodeJS.ProcessEnv): Promise<string> {
  const out: string[] = [];
  const code = await runKeys(
    ['create', '--tenant', LOCAL_TENANT, '--roles', LOCAL_ADMIN_ROLES.join(','), '--name', LOCAL_KEY_NAME],
    {
      // Quiet: the services' own logs are what the terminal shows.
      env: { ...env, VERITY_LOG_LEVEL: undefined },
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => true },
    },
  );
  const key = out.join('').trimEnd().split('\n').at(-1);
  if (code !== 0 || !key || !parseApiKey(key)) throw new Error('verity keys create printed no key');
  return key;
}

/**
 * The local admin key: the one stored in `file` while the key directory holds it as valid,
 * else a new one, stored (owner read and write only) in its place.
 */
export async function provideLocalAdminKey(
  env: NodeJS.ProcessEnv,
  file = LOCAL_ADMIN_KEY_FILE,
): Promise<LocalAdminKey> {
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (stored && (await stillValid(env, stored))) return { key: stored, issued: false };
  const key = await issue(env);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  // writeFile's mode applies to a new file only: an older one keeps its mode otherwise.
  await chmod(file, 0o600);
  return { key, issued: true };
}

/** What `verity up` prints once the services are ready: the key and a command to paste. */
export function localAdminKeyLines({ key, issued }: LocalAdminKey, gatewayUrl: string, file: string): string {
  return [
    '',
    `${issued ? 'Issued a' : 'Using the'} local admin key of tenant ${LOCAL_TENANT} (roles ${LOCAL_ADMIN_ROLES.join(',')}), kept in ${file}:`,
    `  ${key}`,
    'Try it:',
    `  curl -s -XPOST ${gatewayUrl}/v1/commands/inventory.ReceiveStock \\`,
    `    -H 'Authorization: Bearer ${key}' -H 'content-type: application/json' \\`,
    `    -d '{"sku":"SKU-1","location":"berlin","quantity":5}'`,
    '',
  ].join('\n');
}
