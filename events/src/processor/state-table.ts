import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import { sleep } from '../retry';

/** What the processor keeps per stream: enough to decide the next command without replaying events. */
export interface StreamSnapshot {
  streamId: string;
  version: number;
  state: unknown;
  /** Hash of the last event, the next event's prev hash. */
  lastHash: string;
}

/**
 * The compacted state topic, read continuously into memory (a table, as Kafka Streams would
 * say). After a partition is assigned, `catchUp` waits until every snapshot written to it so
 * far (by any instance) has been read, so a restored stream is never behind its last write.
 */
export class StateTable {
  private readonly snapshots = new Map<string, StreamSnapshot>();
  private readonly positions = new Map<number, bigint>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // A group of its own per instance: every instance reads every partition from the start.
    const consumer = this.kafka.consumer({ groupId: this.groupId, readUncommitted: false, allowAutoTopicCreation: false });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (!message.key || !message.value) return;
        const snapshot = JSON.parse(message.value.toString('utf8')) as StreamSnapshot;
        this.put(snapshot);
      },
    });
    this.consumer = consumer;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  get(streamId: string): StreamSnapshot | undefined {
    return this.snapshots.get(streamId);
  }

  /** Newer versions only: the reader may lag behind what this instance already committed. */
  put(snapshot: StreamSnapshot): void {
    const current = this.snapshots.get(snapshot.streamId);
    if (!current || current.version < snapshot.version) this.snapshots.set(snapshot.streamId, snapshot);
  }

  /** Waits until the table holds everything committed to `partition` up to now. */
  async catchUp(partition: number, timeoutMs = 60_000): Promise<void> {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    const end = BigInt(offsets.find((o) => o.partition === partition)?.high ?? '0');
    const deadline = Date.now() + timeoutMs;
    while ((this.positions.get(partition) ?? 0n) < end) {
      if (Date.now() > deadline) {
        throw new Error(`state topic ${this.topic} partition ${partition}: not caught up to ${end} within ${timeoutMs} ms`);
      }
      await sleep(20);
    }
    this.logger.debug({ partition, end: end.toString(), streams: this.snapshots.size }, 'state partition restored');
  }
}
