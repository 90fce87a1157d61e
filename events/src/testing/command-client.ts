import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { CommandEnvelope, CommandReply } from '@verity/core';

/** Sends command envelopes as the gateway does and waits for their replies: a test's client of the processors. */
export interface CommandClient {
  /** Resolves with the next reply to `envelope.commandId` written after the send. */
  send(envelope: CommandEnvelope, timeoutMs?: number): Promise<CommandReply>;
  stop(): Promise<void>;
}

/** The replies topic must exist (a processor creates it): kafkajs cannot subscribe to a missing topic on KRaft. */
export async function startCommandClient(
  kafka: Kafka,
  commandsTopic: string,
  repliesTopic: string,
): Promise<CommandClient> {
  const replies = new Map<string, CommandReply[]>();
  const consumer = kafka.consumer({ groupId: `${repliesTopic}.test-client.${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: repliesTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const reply = JSON.parse(message.value!.toString('utf8')) as CommandReply;
      replies.set(reply.commandId, [...(replies.get(reply.commandId) ?? []), reply]);
    },
  });
  const producer = kafka.producer();
  await producer.connect();

  return {
    async send(envelope, timeoutMs = 30_000) {
      // A repeated command is answered again: wait for a reply beyond those already seen.
      const seen = replies.get(envelope.commandId)?.length ?? 0;
      await producer.send({
        topic: commandsTopic,
        messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }],
      });
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const reply = replies.get(envelope.commandId)?.[seen];
        if (reply) return reply;
        if (Date.now() > deadline) throw new Error(`no reply to ${envelope.commandId} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      await producer.disconnect();
      await consumer.disconnect();
    },
  };
}
