import { randomUUID } from 'node:crypto';
import { secretsKeyOf, VerityError } from '@verity/core';
import { accessContext, type WebhookSecretView } from '@verity/domain';
import { WebhookSecretDirectory, newWebhookSecret, newWebhookSecretId, sealSecret } from '@verity/connector-webhooks';
import {
  contextTopicConfigs,
  contextTopics,
  ensureTopics,
  repliesTopic,
  repliesTopicConfig,
  startCommandSender,
  type CommandSender,
} from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { accessEnvelope, sendAccepted, type KeysIo } from './keys-command';
import { textTable } from './text-table';
import { parseWebhooksArgs, type WebhooksArgs } from './webhooks-args';
import { LOCAL_SECRETS_KEY_FILE, withSecretsKey } from './webhooks-secrets-key';

export { WEBHOOKS_USAGE } from './webhooks-args';

/** No webhook secret of that id exists (in any tenant). */
export class UnknownWebhookSecretError extends VerityError {
  constructor(secretId: string) {
    super('unknown_webhook_secret', `no webhook secret ${secretId}`, { context: { secretId } });
  }
}

const statusOf = (secret: WebhookSecretView, now: number): string =>
  secret.expiresAt !== undefined && Date.parse(secret.expiresAt) <= now ? 'expired' : 'active';

/** One row per secret: ids, tenant, source, shop, dates; never the secret, sealed or not. */
export function webhookSecretsTable(secrets: readonly WebhookSecretView[], now = Date.now()): string {
  const header = ['SECRET ID', 'TENANT', 'SOURCE', 'SHOP DOMAIN', 'ADDED', 'EXPIRES', 'STATUS'];
  const rows = [...secrets]
    .sort(
      (a, b) =>
        a.tenant.localeCompare(b.tenant) || a.source.localeCompare(b.source) || a.addedAt.localeCompare(b.addedAt),
    )
    .map((s) => [s.secretId, s.tenant, s.source, s.shopDomain ?? '-', s.addedAt, s.expiresAt ?? '-', statusOf(s, now)]);
  return textTable(header, rows);
}

/** Runs `verity webhooks ...`; returns the exit code. */
export async function runWebhooks(
  args: readonly string[],
  io: KeysIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const parsed = parseWebhooksArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  const platform = createPlatform('cli-webhooks', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const topics = contextTopics(accessContext.name, env.VERITY_TOPIC_PREFIX);
  const replies = repliesTopic(env.VERITY_TOPIC_PREFIX);
  const clientId = `${env.VERITY_TOPIC_PREFIX}.cli-webhooks.${randomUUID()}`;
  const admin = platform.kafka.admin();
  await admin.connect();
  const directory = new WebhookSecretDirectory({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin,
    topic: topics.state,
    clientId: `${clientId}.directory`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  let sender: CommandSender | undefined;
  try {
    await ensureTopics(
      admin,
      [...contextTopicConfigs(topics, env.VERITY_PARTITIONS), repliesTopicConfig(replies)],
      env.VERITY_REPLICATION_FACTOR,
    );
    await directory.start();
    if (parsed.action === 'list') {
      io.stdout.write(
        webhookSecretsTable(directory.list().filter((s) => parsed.tenant === undefined || s.tenant === parsed.tenant)),
      );
      return 0;
    }
    sender = await startCommandSender({
      kafka: platform.kafka,
      admin,
      brokers: env.VERITY_KAFKA_BROKERS,
      repliesTopic: replies,
      clientId: `${clientId}.replies`,
      ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
    });
    if (parsed.action === 'set') await set(parsed, io, sender, topics.commands);
    else await remove(parsed, io, directory, sender, topics.commands);
    return 0;
  } finally {
    await sender?.stop();
    await directory.stop();
    await admin.disconnect();
  }
}

async function set(
  args: Extract<WebhooksArgs, { action: 'set' }>,
  io: KeysIo,
  sender: CommandSender,
  commandsTopic: string,
): Promise<void> {
  const kek = secretsKeyOf((await withSecretsKey(io.env)).VERITY_SECRETS_KEY!);
  // Sealed under a key the ingestor lacks, a secret opens nowhere: say which key was used.
  if (!io.env.VERITY_SECRETS_KEY)
    io.stderr.write(
      `VERITY_SECRETS_KEY is not set: sealed under the local key in ${io.env.VERITY_SECRETS_KEY_FILE ?? LOCAL_SECRETS_KEY_FILE} (key ${kek.id}), as verity up uses it.\n`,
    );
  const secret = args.secret ?? newWebhookSecret();
  const secretId = newWebhookSecretId();
  const sealed = sealSecret(kek, secret, { tenant: args.tenant, source: args.source, secretId });
  const payload = {
    source: args.source,
    secretId,
    sealed,
    ...(args.shopDomain === undefined ? {} : { shopDomain: args.shopDomain }),
    ...(args.expiresAt === undefined ? {} : { expiresAt: args.expiresAt }),
  };
  await sendAccepted(sender, commandsTopic, accessEnvelope(args.tenant, 'AddWebhookSecret', payload));
  const details = Object.entries({
    'secret id': secretId,
    tenant: args.tenant,
    source: args.source,
    shop: args.shopDomain,
    expires: args.expiresAt,
    url: `/webhooks/${args.source}/<topic>${args.source === 'shopify' && args.shopDomain ? '' : `?tenant=${args.tenant}`}`,
  })
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => `${`${label}:`.padEnd(11)}${value}\n`)
    .join('');
  io.stderr.write(
    'The secrets set before stay valid until removed (verity webhooks secret remove <id>): rotate by setting a new one first.\n',
  );
  // A secret given on the command line is not printed again; a generated one is, alone on the last line.
  io.stdout.write(args.secret === undefined ? `${details}${secret}\n` : details);
}

async function remove(
  args: Extract<WebhooksArgs, { action: 'remove' }>,
  io: KeysIo,
  directory: WebhookSecretDirectory,
  sender: CommandSender,
  commandsTopic: string,
): Promise<void> {
  const known = directory.list().find((s) => s.secretId === args.secretId);
  if (!known) throw new UnknownWebhookSecretError(args.secretId);
  await sendAccepted(
    sender,
    commandsTopic,
    accessEnvelope(known.tenant, 'RemoveWebhookSecret', { source: known.source, secretId: known.secretId }),
  );
  io.stdout.write(`removed ${known.secretId} (tenant ${known.tenant}, source ${known.source})\n`);
}
