import { randomUUID } from 'node:crypto';
import { VerityError } from '@verity/core';
import { fetchTopicOffsets, parseCommandReply, sleep, type Logger } from '@verity/events';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { RecentReplies } from './recent-replies';

/** How long a consumer that crashed for good rests before its replacement starts. */
const REPLACE_AFTER_MS = 1_000;

export interface ReplyTableOptions {
  kafka: Kafka;
  admin: Admin;
  /** The replies topic. */
  topic: string;
  /** Each instance reads in a consumer group of its own, `<groupPrefix>.<uuid>`, deleted when it stops. */
  groupPrefix: string;
  /** Where each reply read goes: to the requests waiting for it, and the recent replies. */
  recent: RecentReplies;
  logger: Logger;
  /** Called for every reply read: the gateway counts them. */
  onRead?(): void;
  /** Longest wait for the first join before `start` fails. Default 60 s. */
  startTimeoutMs?: number;
}

/**
 * The replies topic read from where it ends when the gateway starts, never its history: the
 * gateway hands each new reply to the requests waiting for it and keeps the recent ones. The
 * topic's end offsets are asked for before joining, and every partition is moved there once
 * assigned, before the first fetch; only then is the table ready. A reply to a command sent
 * after that is appended after those offsets, so none is missed, whatever offset kafkajs
 * would have resolved "latest" to at its first fetch. A consumer that joins again (a broker
 * restart, a replaced consumer) goes on from where it was.
 */
export class ReplyTable {
  private readonly groupId: string;
  /** Per partition, the offset reading resumes from: the end at start, then past each batch read. */
  private readonly positions = new Map<number, string>();
  private consumer: Consumer | undefined;
  private ready = false;
  private stopped = false;
  private positioned: (() => void) | undefined;

  constructor(private readonly options: ReplyTableOptions) {
    this.groupId = `${options.groupPrefix}.${randomUUID()}`;
  }

  /** Resolves once positioned at the topic's end as it was at the call. */
  async start(): Promise<void> {
    this.stopped = false;
    for (const { partition, high } of await fetchTopicOffsets(this.options.admin, this.options.topic))
      this.positions.set(partition, high);
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const positioned = new Promise<void>((resolve, reject) => {
      this.positioned = resolve;
      timer = setTimeout(
        () =>
          reject(
            new VerityError(
              'reply_table_start_timeout',
              `${this.options.topic}: not positioned within ${timeoutMs} ms`,
              {
                retriable: true,
                context: { topic: this.options.topic },
              },
            ),
          ),
        timeoutMs,
      );
    });
    try {
      this.consumer = await this.run();
      await positioned;
    } finally {
      clearTimeout(timer);
    }
  }

  isReady(): boolean {
    return this.ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ready = false;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.options.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }

  private async run(): Promise<Consumer> {
    const { kafka, topic, recent, logger } = this.options;
    const consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // A restarted broker reloads the group with the member that was there before it went away,
      // and a new join waits for that member's session to expire: kafkajs's default 30 s would
      // keep replies unread for as long after the broker is back.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    // Applied before the next fetch: kafkajs drops what a fetch returns for a partition with a seek pending.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[topic] ?? [])
        consumer.seek({ topic, partition, offset: this.positions.get(partition) ?? '0' });
      this.ready = true;
      this.positioned?.();
    });
    // END_BATCH_PROCESS also fires for batches of transaction markers only.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.positions.set(payload.partition, (BigInt(payload.lastOffset) + 1n).toString());
    });
    // kafkajs gives up for good on an error it holds non-retriable, such as "Failed to find
    // group coordinator" while a restarted broker loads its groups: replies would go unread.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.ready = false;
      if (!payload.restart) void this.replace(consumer);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          const reply = message.value ? parseCommandReply(message.value) : undefined;
          if (!reply) {
            logger.warn({ topic, partition, offset: message.offset }, 'not a command reply; skipped');
            return;
          }
          this.options.onRead?.();
          recent.deliver(reply, Date.now() - Number(message.timestamp));
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return consumer;
  }

  /** Starts a new consumer in place of one kafkajs will not restart, until one runs or the table stops. */
  private async replace(crashed: Consumer): Promise<void> {
    await crashed.disconnect().catch(() => undefined);
    while (!this.stopped && this.consumer === crashed) {
      await sleep(REPLACE_AFTER_MS);
      const next = await this.run().catch(() => undefined);
      if (!next) continue;
      if (this.stopped || this.consumer !== crashed) await next.disconnect().catch(() => undefined);
      else this.consumer = next;
    }
  }
}
