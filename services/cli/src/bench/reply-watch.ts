import type { CommandReply } from '@verity/core';
import { fetchTopicOffsets, parseCommandReply } from '@verity/events';
import type { Admin, Kafka } from 'kafkajs';

/** A command's reply as it was seen: when (process.hrtime) and what. */
export interface SeenReply {
  at: bigint;
  reply: CommandReply;
}

export interface ReplyWatch {
  /** Starts watching for these commands' replies. */
  expect(commandIds: readonly string[]): void;
  /** The reply of a command expected, once seen. */
  seen(commandId: string): SeenReply | undefined;
  stop(): Promise<void>;
}

/**
 * Reads the replies topic from where it ends now, never its history (the loaded outcomes),
 * noting when each expected reply arrives: the moment a processor decided a command, within a
 * fetch. Read committed, in a consumer group of its own (`groupId`), positioned at the end
 * before it resolves.
 */
export async function watchReplies(kafka: Kafka, admin: Admin, topic: string, groupId: string): Promise<ReplyWatch> {
  const ends = new Map((await fetchTopicOffsets(admin, topic)).map((o) => [o.partition, o.high]));
  const expected = new Set<string>();
  const seen = new Map<string, SeenReply>();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
  const positioned = new Promise<void>((resolve) => {
    // Applied before the first fetch: kafkajs drops what a fetch returns for a partition with a seek pending.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[topic] ?? [])
        consumer.seek({ topic, partition, offset: ends.get(partition) ?? '0' });
      resolve();
    });
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const commandId = message.key?.toString();
        if (!commandId || !expected.has(commandId) || !message.value) return;
        const reply = parseCommandReply(message.value);
        if (reply) seen.set(commandId, { at: process.hrtime.bigint(), reply });
      },
    });
    await positioned;
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return {
    expect(commandIds) {
      for (const id of commandIds) expected.add(id);
    },
    seen: (commandId) => seen.get(commandId),
    stop: () => consumer.disconnect(),
  };
}
