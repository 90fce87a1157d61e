import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { CommandEnvelope } from '@verity/core';
import { subjectOf } from '../avro-serde';

/** Removes what a test made on the real stack under its `prefix`: topics, consumer groups, and the subjects of `eventTypes` on `eventsTopic`. */
export async function removeTestStack(options: {
  kafka: Kafka;
  prefix: string;
  registryUrl: string;
  eventsTopic: string;
  eventTypes: readonly string[];
}): Promise<void> {
  const { kafka, prefix, registryUrl } = options;
  const admin = kafka.admin();
  await admin.connect();
  const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${prefix}.`));
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
  for (const fullName of options.eventTypes) {
    const subject = `${registryUrl}/subjects/${encodeURIComponent(subjectOf(options.eventsTopic, fullName))}`;
    await fetch(subject, { method: 'DELETE' })
      .then(() => fetch(`${subject}?permanent=true`, { method: 'DELETE' }))
      .catch(() => undefined);
  }
}

/** A command of tenant `acme` as the gateway would append it. */
export function testCommand(type: string, streamId: string, payload: Record<string, unknown>): CommandEnvelope {
  const now = new Date().toISOString();
  return {
    commandId: randomUUID(),
    type,
    streamId,
    payload,
    metadata: {
      tenant: 'acme',
      actor: 'tester',
      correlationId: randomUUID(),
      sourceSystem: 'api',
      sourceTimestamp: now,
      receivedAt: now,
    },
  };
}
