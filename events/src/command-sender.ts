import type { Admin, Kafka } from 'kafkajs';
import { VerityError, type CommandEnvelope, type CommandReply } from '@verity/core';
import { PartitionReader, type ReadRecord } from './partition-reader';
import { fetchTopicOffsets } from './topic-offsets';
import type { KafkaSecurity } from './kafka-security';

export interface CommandSenderOptions {
  /** Sends the commands: kafkajs partitions keys with Java's murmur2, as the gateway's producer does. */
  kafka: Kafka;
  /** Tells where the replies topic ends when the sender starts. */
  admin: Admin;
  /** Where the replies are read from. */
  brokers: readonly string[];
  /** TLS and SASL of the cluster, for the replies reader. */
  security?: KafkaSecurity;
  repliesTopic: string;
  /** Names the replies reader. */
  clientId: string;
  /**
   * Sends the commands in place of a kafkajs producer of `kafka`: `createCommandProducer(rdkafka)`
   * (the gateway's) batches many concurrent sends into one request per partition, for a tool that
   * keeps many commands in flight (`verity import`). The sender connects and disconnects it.
   */
  producer?: CommandSenderProducer;
}

/** What the sender needs of a producer: kafkajs's and librdkafka's KafkaJS-shaped one alike. */
export interface CommandSenderProducer {
  connect(): Promise<void>;
  send(record: { topic: string; messages: { key: string; value: string }[] }): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** Sends commands to a context's commands topic, as the gateway does, and waits for their replies. */
export interface CommandSender {
  /** The reply to `envelope`, written after the sender started; a `reply_timeout` error after `timeoutMs` (default 30 s). */
  send(commandsTopic: string, envelope: CommandEnvelope, timeoutMs?: number): Promise<CommandReply>;
  stop(): Promise<void>;
}

/** No reply in time: the command may still be decided (it is in the log), most likely no processor runs. */
export class ReplyTimeoutError extends VerityError {
  constructor(commandId: string, timeoutMs: number) {
    super(
      'reply_timeout',
      `no reply to command ${commandId} within ${timeoutMs} ms: is the command-processor running?`,
      { retriable: true, context: { commandId } },
    );
  }
}

/**
 * A client of the processors for tools (the CLI's `verity keys`): it reads the replies topic
 * from where it ends when the sender starts, holding only the replies it waits for, so its
 * cost does not grow with the replies ever written. The replies topic must exist.
 */
export async function startCommandSender(options: CommandSenderOptions): Promise<CommandSender> {
  const { kafka, admin, brokers, repliesTopic, clientId, security } = options;
  const waiting = new Map<string, (reply: CommandReply) => void>();
  const reader = new PartitionReader({
    brokers,
    ...(security ? { security } : {}),
    topic: repliesTopic,
    clientId,
    apply: async (records: ReadRecord[]) => {
      for (const record of records)
        waiting.get(record.key)?.(JSON.parse(record.value.toString('utf8')) as CommandReply);
    },
  });
  const ends = await fetchTopicOffsets(admin, repliesTopic);
  await reader.start(new Map(ends.map(({ partition, high }) => [partition, BigInt(high)])));
  const producer: CommandSenderProducer = options.producer ?? kafka.producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
  } catch (error) {
    await reader.stop();
    throw error;
  }

  return {
    async send(commandsTopic, envelope, timeoutMs = 30_000) {
      const { commandId } = envelope;
      // Listening before sending: the reply cannot arrive unseen in between.
      let timer: NodeJS.Timeout | undefined;
      const reply = new Promise<CommandReply>((resolve, reject) => {
        timer = setTimeout(() => {
          waiting.delete(commandId);
          reject(new ReplyTimeoutError(commandId, timeoutMs));
        }, timeoutMs);
        waiting.set(commandId, (answer) => {
          clearTimeout(timer);
          waiting.delete(commandId);
          resolve(answer);
        });
      });
      try {
        await producer.send({
          topic: commandsTopic,
          messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }],
        });
      } catch (error) {
        // Not sent: nothing to wait for (the reply promise, never settled, is dropped).
        clearTimeout(timer);
        waiting.delete(commandId);
        throw error;
      }
      return reply;
    },
    async stop() {
      await producer.disconnect();
      await reader.stop();
    },
  };
}
