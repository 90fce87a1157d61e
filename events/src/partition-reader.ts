import {
  KafkaConsumer,
  type ConsumerGlobalConfig,
  type LibrdKafkaError,
  type Message,
} from '@confluentinc/kafka-javascript';
import { VerityError } from '@verity/core';
import { librdkafkaSecurity, type KafkaSecurity } from './kafka-security';
import { PartitionEnds, type PartitionEnd, type TopicEnds } from './partition-ends';
import { retry } from './retry';

/** A record read, as the reader hands it over. */
export interface ReadRecord {
  partition: number;
  offset: bigint;
  key: string;
  value: Buffer;
  headers: Record<string, Buffer>;
  /** The record's timestamp (ms since the epoch): when it was produced, or appended by the broker. */
  timestamp: number;
}

export interface PartitionReaderOptions {
  brokers: readonly string[];
  topic: string;
  clientId: string;
  /**
   * Asks where the partitions end, for `catchUp`; shared by readers whose catch-ups are
   * frequent. Not the reader's own connection: the broker answers a connection's requests in
   * order, so a ListOffsets sent there waits behind the long poll of the fetch before it
   * (measured: a reference catch-up took 98 ms at the median, two fetch waits, and bounded the
   * processor's throughput). Without it the reader asks through an admin client of its own.
   */
  ends?: TopicEnds;
  /**
   * The end `catchUp` waits for when the reader asks itself (see `PartitionEnd`). Default
   * `stable`; `high` where a caller that saw a change committed must then read it here.
   */
  end?: PartitionEnd;
  /** TLS and SASL of the cluster, as the services' other Kafka clients use them. */
  security?: KafkaSecurity;
  /** Applies a batch of records read (in offset order per partition); awaited before more are read. */
  apply(records: ReadRecord[]): Promise<void>;
  /** Records handed over per batch. Default 1000. */
  batchSize?: number;
  /** Called once when reading stops for an error (after it, `catchUp` rejects with it); a reader is not restarted. */
  onFailure?(error: Error): void;
}

/**
 * How long a read waits for a first record. What is fetched after it is handed over at once
 * (not waited for), so a record is applied as soon as it arrives; this only paces the idle loop.
 */
const IDLE_WAIT_MS = 100;

/**
 * librdkafka's batch read waits its timeout for each record by default: every batch handed over
 * 20 ms after its last record, and replies and catch-ups that much later. Its own KafkaJS-style
 * consumer turns that off with this setter, which the typings do not declare.
 */
interface FirstRecordTimeout {
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void;
}

class ReaderStoppedError extends VerityError {
  constructor(topic: string) {
    super('reader_stopped', `${topic}: the reader stopped before it caught up`, { retriable: true });
  }
}

/**
 * librdkafka settings of a consumer that is assigned its partitions and reads them
 * read_committed: it joins no group and commits nothing.
 */
export function assignedReaderSettings(options: {
  brokers: readonly string[];
  clientId: string;
  security?: KafkaSecurity;
}): ConsumerGlobalConfig {
  return {
    'bootstrap.servers': options.brokers.join(','),
    'client.id': options.clientId,
    // Required by librdkafka; nothing is ever committed or joined under it.
    'group.id': `${options.clientId}.unused`,
    'enable.auto.commit': false,
    'isolation.level': 'read_committed',
    log_level: 3,
    ...librdkafkaSecurity(options.security),
  };
}

/**
 * Reads chosen partitions of a topic from chosen offsets, read_committed, with no consumer
 * group: a local store restored from its changelog reads only the partitions it needs, from
 * where it left off, as Kafka Streams' restore consumer does. librdkafka's position steps over
 * transaction markers and aborted records, so `catchUp` can tell when everything committed up
 * to the end it saw has been applied.
 */
export class PartitionReader {
  private readonly positions = new Map<number, bigint>();
  private readonly advanced = new Set<() => void>();
  private consumer: KafkaConsumer | undefined;
  private loop: Promise<void> | undefined;
  private failure: Error | undefined;
  /** The end-offsets query in flight, and the one that starts after it. */
  private query: Promise<Map<number, bigint>> | undefined;
  private nextQuery: Promise<Map<number, bigint>> | undefined;
  private stopped = false;
  /** The reader's own ends, when it was given none. */
  private ownEnds: PartitionEnds | undefined;

  constructor(private readonly options: PartitionReaderOptions) {}

  /** Starts reading each partition from its offset. */
  async start(from: ReadonlyMap<number, bigint>): Promise<void> {
    const { topic } = this.options;
    const consumer = new KafkaConsumer(
      {
        ...assignedReaderSettings(this.options),
        // How long the broker holds a fetch that finds nothing: a commit ends it at once (measured:
        // a record applied 1.9 ms p50 after its commit with 500 as with 50), so this only paces
        // the empty fetches of a reader with nothing to read, and every service runs a few.
        'fetch.wait.max.ms': 500,
        // librdkafka prefetches up to 64 MiB per consumer by default; a processor restoring a
        // dozen partitions at once would hold most of a gigabyte of records it has not read yet.
        'queued.max.messages.kbytes': 4096,
      },
      {},
    );
    await new Promise<void>((resolve, reject) =>
      consumer.connect({}, (error) => (error ? reject(kafkaError(error)) : resolve())),
    );
    consumer.setDefaultConsumeTimeout(IDLE_WAIT_MS);
    (consumer as unknown as FirstRecordTimeout).setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.assign([...from].map(([partition, offset]) => ({ topic, partition, offset: Number(offset) })));
    for (const [partition, offset] of from) this.positions.set(partition, offset);
    this.consumer = consumer;
    this.stopped = false;
    this.loop = this.run(consumer);
  }

  private async run(consumer: KafkaConsumer): Promise<void> {
    const { topic } = this.options;
    const batchSize = this.options.batchSize ?? 1000;
    const assigned = [...this.positions.keys()].map((partition) => ({ topic, partition }));
    try {
      while (!this.stopped) {
        const messages = await new Promise<Message[]>((resolve, reject) =>
          consumer.consume(batchSize, (error, read) => (error ? reject(kafkaError(error)) : resolve(read))),
        );
        const records = messages.filter((m) => m.key && m.value).map(toRecord);
        if (records.length > 0) await this.options.apply(records);
        for (const { partition, offset } of consumer.position(assigned))
          if (offset !== undefined && offset >= 0) this.positions.set(partition, BigInt(offset));
        for (const wake of [...this.advanced]) wake();
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      for (const wake of [...this.advanced]) wake();
      this.options.onFailure?.(this.failure);
    }
  }

  /** The next offset of `partition` to apply; everything before it is applied. */
  position(partition: number): bigint | undefined {
    return this.positions.get(partition);
  }

  /** Waits until everything committed to the given partitions (all read when omitted) up to now is applied. */
  async catchUp(partitions?: readonly number[], timeoutMs = 60_000): Promise<void> {
    if (!this.consumer) throw new ReaderStoppedError(this.options.topic);
    const ends = await this.endOffsets();
    const targets = (partitions ?? [...ends.keys()]).map((partition) => ({
      partition,
      end: ends.get(partition) ?? 0n,
    }));
    const late = () => targets.find(({ partition, end }) => (this.positions.get(partition) ?? 0n) < end);
    if (!late()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.advanced.delete(wake);
        const behind = late();
        reject(
          new VerityError(
            'table_catch_up_timeout',
            `${this.options.topic}[${behind?.partition}]: not caught up to offset ${behind?.end} within ${timeoutMs} ms`,
            { retriable: true, context: { topic: this.options.topic, partition: behind?.partition } },
          ),
        );
      }, timeoutMs);
      const wake = () => {
        const failed = this.failure ?? (this.stopped ? new ReaderStoppedError(this.options.topic) : undefined);
        if (!failed && late()) return;
        clearTimeout(timer);
        this.advanced.delete(wake);
        if (failed) reject(failed);
        else resolve();
      };
      this.advanced.add(wake);
    });
  }

  /**
   * The high watermarks of the partitions read, asked for after this call: concurrent callers
   * share one query (the one that starts when the query in flight ends), so a burst of
   * catch-ups costs at most two rounds of ListOffsets, not one each.
   */
  private endOffsets(): Promise<Map<number, bigint>> {
    if (!this.query) return this.startQuery();
    this.nextQuery ??= this.query
      .catch(() => undefined)
      .then(() => {
        this.nextQuery = undefined;
        return this.startQuery();
      });
    return this.nextQuery;
  }

  private startQuery(): Promise<Map<number, bigint>> {
    const { brokers, clientId, security, topic } = this.options;
    const ends =
      this.options.ends ??
      (this.ownEnds ??= new PartitionEnds({
        brokers,
        clientId: `${clientId}.ends`,
        ...(security ? { security } : {}),
        end: this.options.end ?? 'stable',
      }));
    const read = [...this.positions.keys()];
    // A partition whose leader is being elected answers no offset for a moment.
    const query = retry(() => ends.ends(topic, read)).finally(() => {
      if (this.query === query) this.query = undefined;
    });
    this.query = query;
    return query;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    const consumer = this.consumer;
    this.consumer = undefined;
    this.loop = undefined;
    this.positions.clear();
    for (const wake of [...this.advanced]) wake();
    this.ownEnds?.close();
    this.ownEnds = undefined;
    if (consumer) await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

/** librdkafka's errors are plain objects: carried as a VerityError, retriable unless librdkafka says fatal. */
function kafkaError(error: LibrdKafkaError): VerityError {
  return new VerityError('kafka_error', error.message, { retriable: !error.isFatal, cause: error });
}

/** A librdkafka message's headers by name, each value a Buffer (the last of a repeated name). */
export function recordHeaders(message: Message): Record<string, Buffer> {
  const headers: Record<string, Buffer> = {};
  for (const header of message.headers ?? [])
    for (const [name, value] of Object.entries(header)) headers[name] = Buffer.from(value);
  return headers;
}

function toRecord(message: Message): ReadRecord {
  return {
    partition: message.partition,
    offset: BigInt(message.offset),
    key: message.key!.toString(),
    value: message.value!,
    headers: recordHeaders(message),
    timestamp: message.timestamp ?? Date.now(),
  };
}
