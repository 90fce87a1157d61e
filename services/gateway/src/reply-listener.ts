import { randomUUID } from 'node:crypto';
import type { CommandReply, Logger } from '@verity/events';
import type { Consumer, Kafka } from 'kafkajs';

/**
 * Follows the replies topic from its end and hands each reply to the request waiting for it.
 * A group of its own per gateway instance, so every instance sees every reply.
 */
export class ReplyListener {
  private readonly waiting = new Map<string, Set<(reply: CommandReply) => void>>();
  private consumer: Consumer | undefined;
  private ready = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupPrefix: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `${this.groupPrefix}.${randomUUID()}`, readUncommitted: false, allowAutoTopicCreation: false });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    // Ready after the first fetch following the join: only then is the start position fixed,
    // so a reply to a command sent from now on cannot slip past.
    const firstFetch = new Promise<void>((resolve) => {
      consumer.on(consumer.events.FETCH, () => {
        if (joined && !this.ready) {
          this.ready = true;
          resolve();
        }
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.ready = false;
      this.logger.error({ err: payload.error }, 'reply listener crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const commandId = message.key?.toString('utf8');
        const waiters = commandId ? this.waiting.get(commandId) : undefined;
        if (!waiters || !message.value) return;
        const reply = JSON.parse(message.value.toString('utf8')) as CommandReply;
        for (const deliver of [...waiters]) deliver(reply);
      },
    });
    this.consumer = consumer;
    await firstFetch;
  }

  isReady(): boolean {
    return this.ready;
  }

  /** Registers interest before the command is sent; resolves with the reply or undefined after `timeoutMs`. */
  expect(commandId: string, timeoutMs: number): Promise<CommandReply | undefined> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(commandId) ?? new Set();
      this.waiting.set(commandId, waiters);
      const settle = (reply: CommandReply | undefined): void => {
        clearTimeout(timer);
        waiters.delete(settle);
        if (waiters.size === 0) this.waiting.delete(commandId);
        resolve(reply);
      };
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      waiters.add(settle);
    });
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.consumer?.disconnect();
  }
}
