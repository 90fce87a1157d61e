import type { Admin, Consumer, Kafka } from 'kafkajs';
import { VerityError } from '@verity/core';
import { sleep } from './retry';
import { fetchTopicOffsets, type TopicPartitionOffsets } from './topic-offsets';

/** How long a consumer that crashed for good rests before its replacement starts. */
const REPLACE_AFTER_MS = 1_000;

export interface CompactedTableOptions<V> {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  /** A group of its own per instance: every instance reads every partition from the start. */
  groupId: string;
  decode(value: Buffer): V;
  /** Whether `next` may replace `current`; default: always (the log order wins). */
  supersedes?(next: V, current: V): boolean;
  /** Called for every record read and not skipped, after the table is updated. */
  onRecord?(key: string, value: V): void;
}

/**
 * A compacted topic read continuously into memory, as Kafka Streams' tables are: the latest
 * value per key. `catchUp` waits until everything committed so far has been read, so a
 * reader never answers from a table that is behind a write it could have seen.
 */
export class CompactedTable<V> {
  private readonly entries = new Map<string, V>();
  private readonly positions = new Map<number, bigint>();
  /** Callers of `catchUp` waiting for a partition's position to advance. */
  private readonly advanced = new Set<() => void>();
  /** The end-offsets query in flight, and the one that starts after it. */
  private query: Promise<TopicPartitionOffsets[]> | undefined;
  private nextQuery: Promise<TopicPartitionOffsets[]> | undefined;
  private consumer: Consumer | undefined;
  private stopped = false;

  constructor(private readonly options: CompactedTableOptions<V>) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.consumer = await this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.options.admin.deleteGroups([this.options.groupId]).catch(() => undefined);
  }

  /** A connected consumer reading the topic from the start into the table. */
  private async run(): Promise<Consumer> {
    const { kafka, topic, groupId } = this.options;
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // A restarted broker reloads the group with the member that was there before it went away,
      // and a new join waits for that member's session to expire: kafkajs's default 30 s would
      // keep the table behind for as long after the broker is back.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    // END_BATCH_PROCESS also fires for batches of transaction markers only, so positions reach the end.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      for (const wake of [...this.advanced]) wake();
    });
    // kafkajs gives up for good on an error it holds non-retriable, such as "Failed to find
    // group coordinator" while a restarted broker loads its groups: the table would stay behind.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) void this.replace(consumer);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (!message.key || !message.value) return;
          const key = message.key.toString('utf8');
          const value = this.options.decode(message.value);
          this.put(key, value);
          this.options.onRecord?.(key, value);
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

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  put(key: string, value: V): void {
    const current = this.entries.get(key);
    if (current === undefined || (this.options.supersedes?.(value, current) ?? true)) this.entries.set(key, value);
  }

  /** Every key's latest value, in no particular order. */
  values(): IterableIterator<V> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Waits until the table holds everything committed to the given partitions (all when omitted) up to now. */
  async catchUp(partitions?: number[], timeoutMs = 60_000): Promise<void> {
    const offsets = await this.endOffsets();
    const targets = offsets
      .filter((o) => !partitions || partitions.includes(o.partition))
      .map((o) => ({ partition: o.partition, end: BigInt(o.high) }));
    const behind = () => targets.some(({ partition, end }) => (this.positions.get(partition) ?? 0n) < end);
    if (!behind()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.advanced.delete(wake);
        const late = targets.find(({ partition, end }) => (this.positions.get(partition) ?? 0n) < end)!;
        reject(
          new VerityError(
            'table_catch_up_timeout',
            `${this.options.topic}[${late.partition}]: not caught up to offset ${late.end} within ${timeoutMs} ms`,
            { retriable: true, context: { topic: this.options.topic, partition: late.partition } },
          ),
        );
      }, timeoutMs);
      const wake = () => {
        if (behind()) return;
        clearTimeout(timer);
        this.advanced.delete(wake);
        resolve();
      };
      this.advanced.add(wake);
    });
  }

  /**
   * The topic's end offsets, asked for after this call: concurrent callers share one query
   * (the one that starts when the query in flight ends), so a burst of catch-ups costs at most
   * two ListOffsets rounds, not one each.
   */
  private endOffsets(): Promise<TopicPartitionOffsets[]> {
    if (!this.query) return this.startQuery();
    this.nextQuery ??= this.query
      .catch(() => undefined)
      .then(() => {
        this.nextQuery = undefined;
        return this.startQuery();
      });
    return this.nextQuery;
  }

  private startQuery(): Promise<TopicPartitionOffsets[]> {
    const query = fetchTopicOffsets(this.options.admin, this.options.topic).finally(() => {
      if (this.query === query) this.query = undefined;
    });
    this.query = query;
    return query;
  }
}
