import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin } from 'kafkajs';
import type { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import {
  aliasResolutionsTopic,
  aliasResolutionsTopicSpec,
  ensureTopics,
  sharedCounter,
  sharedGauge,
  type Logger,
  type RdKafka,
  type RdProducer,
} from '@verity/events';
import { aliasResolutionCodec, type AliasResolution } from '@verity/projection-alias-resolutions';
import { createRecordBuffer } from './record-buffer';

/** What a resolve route knows of one answer; the log adds the id, the times, the instance and the count. */
export type ResolutionAnswer = Omit<AliasResolution, 'id' | 'at' | 'instance' | 'count' | 'lastAt'>;

/** Where the resolve route hands its answers: `record` never waits and never throws. */
export interface ResolutionRecorder {
  record(answer: ResolutionAnswer, at: Date): void;
}

export interface ResolutionLogSettings {
  /** Most resolutions held in memory, unsent (`VERITY_ALIAS_RESOLUTIONS_BUFFER`). */
  capacity: number;
  /** Resolutions per produce request. */
  batchSize: number;
  /**
   * Longest wait before a resolution is sent (`VERITY_ALIAS_RESOLUTIONS_FLUSH_MS`); identical
   * answers within one such window are one record with their count.
   */
  flushEveryMs: number;
}

export interface ResolutionLogOptions extends ResolutionLogSettings {
  rdkafka: RdKafka;
  admin: Admin;
  registry: SchemaRegistry;
  topicPrefix: string;
  replicationFactor: number;
  metrics: Registry;
  logger: Logger;
}

export interface ResolutionLog extends ResolutionRecorder {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Drops are logged at most this often: a sink outage at thousands of resolves a second is one line per interval. */
const LOG_EVERY_MS = 10_000;
/** How long librdkafka retries a record before its send fails (and the batch waits in the buffer again). */
const SEND_TIMEOUT_MS = 30_000;

/**
 * The query-api's side of the alias resolution log: every resolve is recorded in memory, the
 * identical answers of one window (`flushEveryMs`) as one record with their count and first and
 * last times, so the log grows with the distinct answers, not with the request rate (at 10,000
 * resolves a second of a few hot aliases, one record per window and alias, not 864 million rows
 * a day). Each window's records go to a bounded buffer and are appended, in batches, to the
 * resolutions topic, keyed by tenant, by an idempotent producer; the alias-resolutions read
 * model takes them from there. Off the request path: a full buffer or a sink that is down never
 * delays nor fails a resolve, the records it cannot hold are counted in
 * `verity_alias_resolutions_unrecorded_total{reason}`.
 */
export function createResolutionLog(options: ResolutionLogOptions): ResolutionLog {
  const topic = aliasResolutionsTopic(options.topicPrefix);
  const codec = aliasResolutionCodec(options.registry, topic);
  // Which instance answered: the host and process, and a start id for a pid a container reuses.
  const instance = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const log = options.logger.child({ component: 'alias-resolution-log', topic });
  let producer: RdProducer | undefined;
  /** This window's records, by everything that makes two answers identical. */
  let window = new Map<string, AliasResolution>();
  let windowTimer: NodeJS.Timeout | undefined;

  const buffer = createRecordBuffer<AliasResolution>({
    capacity: options.capacity,
    batchSize: options.batchSize,
    flushEveryMs: options.flushEveryMs,
    logEveryMs: LOG_EVERY_MS,
    async send(batch) {
      if (!producer) throw new Error('the resolution log producer is not connected');
      // Registered at the first send, not at start: a registry outage delays the log, not the query-api.
      await codec.register();
      await producer.send({
        topic,
        messages: batch.map((record) => ({ key: record.tenant, value: codec.encode(record) })),
      });
    },
    unrecorded: sharedCounter(options.metrics, {
      name: 'verity_alias_resolutions_unrecorded_total',
      help: 'Alias resolutions answered but not recorded in the resolution log: the buffer was full (sink down or slow), or the query-api stopped with them unsent',
      labelNames: ['reason'],
    }),
    logger: log,
    what: 'alias resolutions',
  });
  sharedGauge(options.metrics, {
    name: 'verity_alias_resolutions_buffered',
    help: 'Alias resolutions held in memory, not yet acknowledged by Kafka',
    collect() {
      this.set(buffer.size() + window.size);
    },
  });

  const closeWindow = (): void => {
    const closed = window;
    window = new Map();
    for (const record of closed.values()) buffer.add(record);
  };

  return {
    record(answer, at) {
      const { tenant, actor, credentialKind, context, alias, canonical, consistencyToken } = answer;
      const key = JSON.stringify([tenant, actor, credentialKind, context, alias, canonical, consistencyToken]);
      const held = window.get(key);
      if (held) {
        held.count += 1;
        held.lastAt = at.toISOString();
        return;
      }
      // A window of as many distinct answers as a batch goes to the buffer at once (which bounds what is held).
      if (window.size >= options.batchSize) closeWindow();
      // Time-ordered and monotonic within the process: the log's order among resolves of one millisecond.
      window.set(key, { ...answer, id: uuidv7(), at: at.toISOString(), instance, count: 1, lastAt: null });
    },
    async start() {
      await ensureTopics(options.admin, [aliasResolutionsTopicSpec(topic)], options.replicationFactor);
      producer = options.rdkafka.producer({
        kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
        // A batch is one send already: a short linger only joins the sends of two flushes.
        'linger.ms': 5,
        'message.timeout.ms': SEND_TIMEOUT_MS,
        partitioner: 'murmur2_random',
      });
      await producer.connect();
      buffer.start();
      windowTimer = setInterval(closeWindow, options.flushEveryMs);
      windowTimer.unref();
    },
    async stop() {
      clearInterval(windowTimer);
      closeWindow();
      await buffer.stop();
      await producer?.disconnect();
    },
  };
}
