import {
  PartitionReader,
  fetchTopicOffsets,
  parseCommandReply,
  sleep,
  type KafkaSecurity,
  type Logger,
  type ReadRecord,
} from '@verity/events';
import type { Admin } from 'kafkajs';
import type { RecentReplies } from './recent-replies';

/** How long a reader that failed rests before its replacement starts. */
const REPLACE_AFTER_MS = 1_000;

export interface ReplyTableOptions {
  brokers: readonly string[];
  /** Tells the topic's partitions and end offsets. */
  admin: Admin;
  /** The replies topic. */
  topic: string;
  /** Names this instance's reader. */
  clientId: string;
  security?: KafkaSecurity;
  /** Where each reply read goes: to the requests waiting for it, and the recent replies. */
  recent: RecentReplies;
  logger: Logger;
  /** Called for every reply read: the gateway counts them. */
  onRead?(): void;
}

/**
 * The replies topic read from where it ends when the gateway starts, never its history: the
 * gateway hands each new reply to the requests waiting for it and keeps the recent ones. Every
 * partition is assigned (no consumer group: nothing to join, no session to wait out after a
 * broker restart) at the end offsets asked for at start, so a reply to a command sent after
 * `start` resolves is never missed. librdkafka hands a record over as soon as its transaction
 * commits, where the kafkajs consumer it replaces added a group's fetch loop to every reply.
 */
export class ReplyTable {
  private reader: PartitionReader | undefined;
  private stopped = false;

  constructor(private readonly options: ReplyTableOptions) {}

  /** Resolves once reading from the topic's end as it was at the call. */
  async start(): Promise<void> {
    this.stopped = false;
    const ends = await fetchTopicOffsets(this.options.admin, this.options.topic);
    await this.read(new Map(ends.map(({ partition, high }): [number, bigint] => [partition, BigInt(high)])));
  }

  isReady(): boolean {
    return this.reader !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const reader = this.reader;
    this.reader = undefined;
    await reader?.stop();
  }

  private async read(from: ReadonlyMap<number, bigint>): Promise<void> {
    const reader = new PartitionReader({
      brokers: this.options.brokers,
      topic: this.options.topic,
      clientId: this.options.clientId,
      ...(this.options.security ? { security: this.options.security } : {}),
      apply: async (records) => this.deliver(records),
      onFailure: (error) => void this.replace(reader, from, error),
    });
    await reader.start(from);
    this.reader = reader;
  }

  private deliver(records: readonly ReadRecord[]): void {
    const { recent, logger, topic } = this.options;
    for (const record of records) {
      const reply = parseCommandReply(record.value);
      if (!reply) {
        logger.warn(
          { topic, partition: record.partition, offset: String(record.offset) },
          'not a command reply; skipped',
        );
        continue;
      }
      this.options.onRead?.();
      recent.deliver(reply, Date.now() - record.timestamp);
    }
  }

  /** Reads on from where a failed reader got to, until a reader runs or the table stops. */
  private async replace(
    failed: PartitionReader,
    startedFrom: ReadonlyMap<number, bigint>,
    error: Error,
  ): Promise<void> {
    this.options.logger.warn({ err: error, topic: this.options.topic }, 'reply reader failed; replacing it');
    if (this.reader === failed) this.reader = undefined;
    const from = new Map(
      [...startedFrom].map(([partition, offset]): [number, bigint] => [
        partition,
        failed.position(partition) ?? offset,
      ]),
    );
    await failed.stop().catch(() => undefined);
    while (!this.stopped && this.reader === undefined) {
      await sleep(REPLACE_AFTER_MS);
      if (this.stopped) return;
      await this.read(from).catch((cause: Error) =>
        this.options.logger.warn({ err: cause, topic: this.options.topic }, 'reply reader did not start; retrying'),
      );
    }
  }
}
