import { randomUUID } from 'node:crypto';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { sharedCounter, sharedHistogram } from '../metrics';
import type { AvroSerde } from '../avro-serde';
import { CompactedTable } from '../compacted-table';
import { eventFullName, type ContextDefinition, InvalidOptionError } from '@verity/core';
import type { Logger } from '../logger';
import { contextTopicConfigs, ensureTopics, repliesTopicConfig, type ContextTopics } from '../topics';
import { ReferenceTables } from './reference-tables';
import { createBatchTransactions } from './batch-transaction';
import { commandNamesOf, readCommandRecord } from './command-record';
import { decideBatch } from './decide-batch';
import type { StreamSnapshot } from './stream-snapshot';
import { createTimerScheduler } from './timers';
import { createTransactionalProducers } from './transactional-producers';

export interface CommandProcessorOptions {
  kafka: Kafka;
  serde: AvroSerde;
  context: ContextDefinition;
  /** Topics of a context by name: this one's, and those of the contexts it references. */
  topicsOf: (context: string) => ContextTopics;
  repliesTopic: string;
  logger: Logger;
  /** Metrics land here. */
  metrics: Registry;
  /** Partitions of the context's topics when they are created. Default 3. */
  partitions?: number;
  /** Consumer group of the processors of this context; also the transactional id prefix. */
  groupId: string;
  /** Replication factor of topics it creates. Default 1 (the local stack has one broker). */
  replicationFactor?: number;
  /** How often, in ms, the streams of the partitions it owns are checked for due timers (`ContextDefinition.timers`). Default 1000. */
  timerIntervalMs?: number;
}

export interface CommandProcessor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once it has joined its group and can process. */
  isReady(): boolean;
}

/**
 * The write side of one context. One writer per partition: the instance that owns command
 * partition p is the only one writing events and state partition p, fenced by a
 * transactional id per input partition (kafkajs has no KIP-447 fencing). Per batch, ONE
 * transaction holds the events, the new snapshots, the replies and the consumed offsets.
 */
export function createCommandProcessor(options: CommandProcessorOptions): CommandProcessor {
  const { kafka, serde, context, topicsOf, repliesTopic, logger, groupId } = options;
  if (!context.name) throw new InvalidOptionError('context', 'a context definition with a name is required');
  const topics = topicsOf(context.name);
  if (!groupId) throw new InvalidOptionError('groupId', 'required');
  const partitions = options.partitions ?? 3;
  const log = logger.child({ component: 'command-processor', context: context.name });

  const commandsProcessed = sharedCounter(options.metrics, {
    name: 'verity_commands_processed_total',
    help: 'Commands decided, by outcome',
    labelNames: ['context', 'outcome'],
  });
  const deadLettered = sharedCounter(options.metrics, {
    name: 'verity_commands_dead_lettered_total',
    help: 'Command records that could not be decoded and went to the dead-letter topic',
    labelNames: ['context'],
  });
  const batchSeconds = sharedHistogram(options.metrics, {
    name: 'verity_command_batch_seconds',
    help: 'Time to decide and commit one batch of commands',
    labelNames: ['context'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  const admin: Admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    // A crashed processor's partitions wait for its session to expire: keep that short.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const table = new CompactedTable<StreamSnapshot>({
    kafka,
    admin,
    topic: topics.state,
    groupId: `${groupId}.state-table.${randomUUID()}`,
    decode: (value) => JSON.parse(value.toString('utf8')) as StreamSnapshot,
    // The reader may lag behind what this instance already committed.
    supersedes: (next, current) => next.sequence > current.sequence,
  });
  const references = new ReferenceTables({ kafka, admin, context, topicsOf, groupId });
  const timers = createTimerScheduler({
    kafka,
    admin,
    consumer,
    context,
    commandsTopic: topics.commands,
    table,
    logger: log,
    metrics: options.metrics,
    intervalMs: options.timerIntervalMs ?? 1000,
  });
  const producers = createTransactionalProducers({ kafka, groupId });
  const transactions = createBatchTransactions({
    producers,
    topics: { events: topics.events, state: topics.state, deadLetters: topics.deadLetters, replies: repliesTopic },
    groupId,
    logger: log,
  });
  const restored = new Set<number>();
  let ready = false;

  consumer.on(consumer.events.GROUP_JOIN, () => {
    // Another instance may have written to a partition we now own: restore again before deciding.
    restored.clear();
    ready = true;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    ready = false;
    log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
  });

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    const started = process.hrtime.bigint();
    // Fences the partition's previous writer before its state is read: what it committed is then final.
    await producers.get(partition);
    if (!restored.has(partition)) {
      await table.catchUp([partition]);
      restored.add(partition);
    }

    const records = batch.messages.map(readCommandRecord);
    await references.catchUpFor(commandNamesOf(context, records));
    const lastOffset = batch.messages.at(-1)?.offset;
    // Deciding is synchronous, so the consumer cannot stop or go stale halfway through it: this
    // one check stands for a check before each record.
    if (lastOffset === undefined || !payload.isRunning() || payload.isStale()) return;
    const decided = decideBatch({
      context,
      source: { topic: batch.topic, partition },
      records,
      snapshots: table,
      encode: (fullName, data) => serde.encode(topics.events, fullName, data),
      references: (commandName, tenant, payload) => references.lookup(commandName, tenant, payload),
    });
    for (const { offset, reason } of decided.deadLetters)
      log.warn({ partition, offset, reason }, 'command sent to dead-letter topic');

    const settled = await transactions.commit({ topic: batch.topic, partition, lastOffset }, decided);
    for (const snapshot of settled.snapshots) table.put(snapshot.streamId, snapshot);
    for (const o of decided.commands) {
      commandsProcessed.inc({
        context: context.name,
        outcome: o.kind === 'decided' ? (o.rejection ? 'rejected' : 'accepted') : 'repeated',
      });
    }
    deadLettered.inc({ context: context.name }, decided.deadLetters.length);
    payload.resolveOffset(lastOffset);
    await payload.heartbeat();
    batchSeconds.observe({ context: context.name }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  return {
    async start() {
      await admin.connect();
      const referenced = Object.values(context.references ?? {}).map((r) => topicsOf(r.context));
      await ensureTopics(
        admin,
        [
          ...[topics, ...referenced].flatMap((t) => contextTopicConfigs(t, partitions)),
          repliesTopicConfig(repliesTopic),
        ],
        options.replicationFactor,
      );
      await serde.register(
        topics.events,
        context.events.map((e) => eventFullName(context.name, e)),
      );
      await table.start();
      await references.start();
      await consumer.connect();
      await consumer.subscribe({ topic: topics.commands, fromBeginning: true });
      await timers.start();
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: processBatch });
      log.info({ topics }, 'command processor started');
    },
    async stop() {
      ready = false;
      await timers.stop();
      await consumer.disconnect();
      await table.stop();
      await references.stop();
      await producers.discardAll();
      await admin.disconnect();
    },
    isReady: () => ready,
  };
}
