import { randomUUID } from 'node:crypto';
import type { CommandReply } from '@verity/core';
import { apiKeysOf, type ApiKeyView } from '@verity/domain';
import { contextTopics, repliesTopic, startCommandSender, type CommandSender } from '@verity/events';
import {
  StateKeyDirectory,
  hashSecret,
  newApiKey,
  parseEnv,
  platformEnvSchema,
  verifySecret,
} from '@verity/service-kit';
import { accessEnvelope } from './keys-command';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

/** How soon every instance must refuse a revoked key (issue 10). */
const REVOCATION_BOUND_MS = 2_000;

/** Polls every 10 ms: the bound is tight, and the check is a map lookup. */
async function within<T>(ms: number, probe: () => T | undefined): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return { value, elapsedMs: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`not seen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('API key directory on the access state topic, with commands through the processor', () => {
  let platform: TestPlatform;
  let sender: CommandSender;
  let brokers: string[];
  let commandsTopic: string;
  const directories: StateKeyDirectory<ApiKeyView>[] = [];

  const directory = async (): Promise<StateKeyDirectory<ApiKeyView>> => {
    const started = new StateKeyDirectory<ApiKeyView>({
      brokers,
      admin: platform.admin,
      topic: contextTopics('access', platform.prefix).state,
      clientId: `${platform.prefix}.directory.${randomUUID()}`,
      keysOf: apiKeysOf,
    });
    directories.push(started);
    await started.start();
    return started;
  };
  const accepted = async (reply: Promise<CommandReply>) => {
    const answer = await reply;
    expect(answer).toMatchObject({ status: 'accepted' });
    return answer;
  };

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor']);
    brokers = parseEnv(platformEnvSchema, platform.env).VERITY_KAFKA_BROKERS;
    commandsTopic = contextTopics('access', platform.prefix).commands;
    sender = await startCommandSender({
      kafka: platform.kafka,
      admin: platform.admin,
      brokers,
      repliesTopic: repliesTopic(platform.prefix),
      clientId: `${platform.prefix}.sender`,
    });
  });
  afterAll(async () => {
    await Promise.all(directories.map((d) => d.stop()));
    await sender?.stop();
    await platform?.stop();
  });

  it('holds an issued key at once, revoked on two instances within 2 s, and one started later reads it all', async () => {
    const [first, second] = [await directory(), await directory()];
    expect(first.isReady()).toBe(true);
    const key = newApiKey();
    await accepted(
      sender.send(
        commandsTopic,
        accessEnvelope('acme', 'IssueApiKey', {
          keyId: key.keyId,
          name: 'erp',
          roles: ['writer:inventory'],
          secretHash: await hashSecret(key.secret),
        }),
      ),
    );
    for (const instance of [first, second]) {
      const { value: record } = await within(REVOCATION_BOUND_MS, () => instance.lookup(key.keyId));
      expect(record).toMatchObject({ keyId: key.keyId, tenant: 'acme', roles: ['writer:inventory'], name: 'erp' });
      expect(record.revokedAt).toBeUndefined();
      await expect(verifySecret(key.secret, record.hash)).resolves.toBe(true);
    }
    const issued = first.lookup(key.keyId);

    await accepted(sender.send(commandsTopic, accessEnvelope('acme', 'RevokeApiKey', { keyId: key.keyId })));
    for (const instance of [first, second]) {
      const { elapsedMs } = await within(REVOCATION_BOUND_MS, () => instance.lookup(key.keyId)?.revokedAt);
      expect(elapsedMs).toBeLessThan(REVOCATION_BOUND_MS);
    }
    // A changed key is a new record: a cache of verified keys sees the change by identity.
    expect(first.lookup(key.keyId)).not.toBe(issued);

    const later = await directory();
    expect(later.lookup(key.keyId)).toMatchObject({ keyId: key.keyId, revokedAt: expect.any(String) as unknown });
  });

  it('keeps a rotated family: both keys valid until the old one is revoked', async () => {
    const instance = await directory();
    const old = newApiKey();
    const next = newApiKey();
    await accepted(
      sender.send(
        commandsTopic,
        accessEnvelope('beta', 'IssueApiKey', {
          keyId: old.keyId,
          roles: ['reader'],
          secretHash: await hashSecret(old.secret),
        }),
      ),
    );
    await accepted(
      sender.send(
        commandsTopic,
        accessEnvelope('beta', 'RotateApiKey', {
          replaces: old.keyId,
          keyId: next.keyId,
          secretHash: await hashSecret(next.secret),
        }),
      ),
    );
    const rotated = await eventually(async () => instance.lookup(next.keyId), 5_000, 'rotated key held');
    expect(rotated).toMatchObject({ tenant: 'beta', family: old.keyId, roles: ['reader'] });
    expect(instance.lookup(old.keyId)?.revokedAt).toBeUndefined();

    const refused = await sender.send(commandsTopic, accessEnvelope('beta', 'RevokeApiKey', { keyId: next.keyId }));
    // The second key lives in the first key's stream: without the family the command finds no such key.
    expect(refused).toMatchObject({ status: 'rejected', code: 'unknown_api_key' });
    await accepted(
      sender.send(commandsTopic, accessEnvelope('beta', 'RevokeApiKey', { family: old.keyId, keyId: old.keyId })),
    );
    await within(REVOCATION_BOUND_MS, () => instance.lookup(old.keyId)?.revokedAt);
    expect(instance.lookup(next.keyId)?.revokedAt).toBeUndefined();
  });

  it('never writes the secret to the log: the events and state topics hold only its hash', async () => {
    const key = newApiKey();
    await accepted(
      sender.send(
        commandsTopic,
        accessEnvelope('acme', 'IssueApiKey', {
          keyId: key.keyId,
          roles: ['admin'],
          secretHash: await hashSecret(key.secret),
        }),
      ),
    );
    const topics = contextTopics('access', platform.prefix);
    for (const topic of [topics.commands, topics.events, topics.state]) {
      const records = await platform.readTopic(topic, (read) =>
        read.some((m) => m.key?.toString() === `acme/${key.keyId}`),
      );
      const bytes = Buffer.concat(records.flatMap((m) => (m.value ? [m.value] : [])));
      expect(bytes.includes(key.keyId)).toBe(true);
      expect(bytes.includes(key.secret)).toBe(false);
    }
  });
});
