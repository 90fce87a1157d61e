import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { VerityError, findCommand, streamIdOf, type CommandEnvelope, type CommandReply } from '@verity/core';
import { accessContext, apiKeysOf, contexts, type ApiKeyView } from '@verity/domain';
import {
  contextTopicConfigs,
  contextTopics,
  ensureTopics,
  repliesTopic,
  repliesTopicConfig,
  startCommandSender,
  type CommandSender,
} from '@verity/events';
import {
  StateKeyDirectory,
  createPlatform,
  issueApiKeyCommand,
  parseEnv,
  platformEnvSchema,
  revokeApiKeyCommand,
  rotateApiKeyCommand,
  type NewApiKey,
} from '@verity/service-kit';
import { parseKeysArgs, type KeysArgs } from './keys-args';
import { UsageError } from './errors';
import { textTable } from './text-table';

export { KEYS_USAGE } from './keys-args';

/** Where the command writes and what configures it; the process's own by default. */
export interface KeysIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** No key of that id exists (in any tenant). */
export class UnknownApiKeyError extends VerityError {
  constructor(keyId: string) {
    super('unknown_api_key', `no API key ${keyId}`, { context: { keyId } });
  }
}

/** The access context said no: the reply's code and reason. */
export class AccessCommandRejectedError extends VerityError {
  constructor(reply: Extract<CommandReply, { status: 'rejected' }>) {
    super(reply.code, reply.reason, { context: { commandId: reply.commandId, ...reply.details } });
  }
}

/** The person behind the command, recorded as its actor; the audit trail says who changed access. */
function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** An access command as the gateway would build it, its payload checked (and normalised) by the command's own schema. */
export function accessEnvelope(tenant: string, command: string, payload: Record<string, unknown>): CommandEnvelope {
  const found = findCommand(contexts, `${accessContext.name}.${command}`);
  if (!found) throw new Error(`no access command ${command}`);
  const parsed = found.definition.schema.safeParse(payload);
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '));
  const commandId = randomUUID();
  const now = new Date().toISOString();
  return {
    commandId,
    type: `${accessContext.name}.${command}`,
    streamId: streamIdOf(tenant, found.definition.aggregateId(parsed.data)),
    payload: parsed.data,
    metadata: {
      tenant,
      actor: actor(),
      correlationId: commandId,
      sourceSystem: 'api',
      sourceTimestamp: now,
      receivedAt: now,
    },
  };
}

type KeyStatus = 'active' | 'expired' | 'revoked';

const statusOf = (key: ApiKeyView, now: number): KeyStatus =>
  key.revokedAt !== undefined
    ? 'revoked'
    : key.expiresAt !== undefined && Date.parse(key.expiresAt) <= now
      ? 'expired'
      : 'active';

/** One row per key, never a hash: ids, tenant, roles, name, status, expiry. */
export function keysTable(keys: readonly ApiKeyView[], now = Date.now()): string {
  const header = ['KEY ID', 'TENANT', 'ROLES', 'NAME', 'STATUS', 'EXPIRES', 'FAMILY'];
  const sorted = [...keys].sort(
    (a, b) =>
      a.tenant.localeCompare(b.tenant) || a.family.localeCompare(b.family) || a.issuedAt.localeCompare(b.issuedAt),
  );
  const rows = sorted.map((k) => [
    k.keyId,
    k.tenant,
    k.roles.join(','),
    k.name ?? '-',
    statusOf(k, now),
    k.expiresAt ?? '-',
    k.family,
  ]);
  return textTable(header, rows);
}

/** The new key's details, then the key alone on the last line: `verity keys create ... | tail -n 1` is the key. */
function printNewKey(io: KeysIo, key: NewApiKey, details: Record<string, string | undefined>): void {
  const lines = Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => `${`${label}:`.padEnd(10)}${value}\n`);
  io.stderr.write('The key is shown once, now: store it where it is needed. Only a hash of it is kept.\n');
  io.stdout.write(`${lines.join('')}${key.key}\n`);
}

/** Sends an access command and waits for it: a rejection is thrown as `AccessCommandRejectedError`. */
export async function sendAccepted(sender: CommandSender, topic: string, envelope: CommandEnvelope): Promise<void> {
  const reply = await sender.send(topic, envelope);
  if (reply.status === 'rejected') throw new AccessCommandRejectedError(reply);
}

/** Runs `verity keys ...`; returns the exit code. */
export async function runKeys(
  args: readonly string[],
  io: KeysIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const parsed = parseKeysArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  // Logs would mix with the key on stdout: quiet unless asked for; failures surface as the error.
  const platform = createPlatform('cli-keys', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const topics = contextTopics(accessContext.name, env.VERITY_TOPIC_PREFIX);
  const replies = repliesTopic(env.VERITY_TOPIC_PREFIX);
  const clientId = `${env.VERITY_TOPIC_PREFIX}.cli-keys.${randomUUID()}`;
  const admin = platform.kafka.admin();
  await admin.connect();
  const directory = new StateKeyDirectory<ApiKeyView>({
    brokers: env.VERITY_KAFKA_BROKERS,
    admin,
    topic: topics.state,
    clientId: `${clientId}.directory`,
    keysOf: apiKeysOf,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  let sender: CommandSender | undefined;
  try {
    // As the processor would create them: a first `keys create` may come before any processor ran.
    await ensureTopics(
      admin,
      [...contextTopicConfigs(topics, env.VERITY_PARTITIONS), repliesTopicConfig(replies)],
      env.VERITY_REPLICATION_FACTOR,
    );
    await directory.start();
    if (parsed.action === 'list') {
      const keys = directory.list().filter((k) => parsed.tenant === undefined || k.tenant === parsed.tenant);
      io.stdout.write(keysTable(keys));
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
    await change(parsed, { io, directory, sender, commandsTopic: topics.commands });
    return 0;
  } finally {
    await sender?.stop();
    await directory.stop();
    await admin.disconnect();
  }
}

interface ChangeTools {
  io: KeysIo;
  directory: StateKeyDirectory<ApiKeyView>;
  sender: CommandSender;
  commandsTopic: string;
}

async function change(args: Exclude<KeysArgs, { action: 'list' }>, tools: ChangeTools): Promise<void> {
  const { io, directory, sender, commandsTopic } = tools;
  if (args.action === 'create') {
    const { key, payload } = await issueApiKeyCommand(args);
    const envelope = accessEnvelope(args.tenant, 'IssueApiKey', payload);
    await sendAccepted(sender, commandsTopic, envelope);
    printNewKey(io, key, {
      'key id': key.keyId,
      tenant: args.tenant,
      roles: args.roles.join(','),
      name: args.name,
      expires: args.expiresAt,
    });
    return;
  }
  const known = directory.lookup(args.keyId);
  if (!known) throw new UnknownApiKeyError(args.keyId);
  if (args.action === 'revoke') {
    await sendAccepted(sender, commandsTopic, accessEnvelope(known.tenant, 'RevokeApiKey', revokeApiKeyCommand(known)));
    io.stdout.write(`revoked ${known.keyId} (tenant ${known.tenant})\n`);
    return;
  }
  const { key, payload } = await rotateApiKeyCommand(known, {
    ...(args.expiresAt === undefined ? {} : { expiresAt: args.expiresAt }),
    ...(args.oldExpiresAt === undefined ? {} : { replacedKeyExpiresAt: args.oldExpiresAt }),
  });
  const envelope = accessEnvelope(known.tenant, 'RotateApiKey', payload);
  await sendAccepted(sender, commandsTopic, envelope);
  printNewKey(io, key, {
    'key id': key.keyId,
    replaces: `${known.keyId} (valid until revoked${args.oldExpiresAt ? ` or ${args.oldExpiresAt}` : known.expiresAt ? ` or ${known.expiresAt}` : ''})`,
    tenant: known.tenant,
    roles: known.roles.join(','),
    name: known.name,
    expires: args.expiresAt,
  });
}
