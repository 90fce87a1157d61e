import { hostname } from 'node:os';
import { join } from 'node:path';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { sharedCounter, sharedHistogram } from '../metrics';
import type { AvroSerde } from '../avro-serde';
import { eventFullName, type ContextDefinition, InvalidOptionError } from '@verity/core';
import type { Logger } from '../logger';
import { fetchTopicOffsets } from '../topic-offsets';
import { contextTopicConfigs, ensureTopics, repliesTopicConfig, type ContextTopics } from '../topics';
import { ReferenceTables } from './reference-tables';
import type { RdKafka } from '../rdkafka';
import { createGroupCommit } from './group-commit';
import { PartitionReader } from '../partition-reader';
import type { KafkaSecurity } from '../kafka-security';
import { SnapshotStore } from './snapshot-store';
import { commandNamesOf, readCommandRecord } from './command-record';
import { decideBatch } from './decide-batch';
import { PartitionLane } from './partition-lane';
import { createTimerScheduler, type PartitionAssignments } from './timers';

export interface CommandProcessorOptions {
  /** Admin work and the tables it reads. */
  kafka: Kafka;
  /** The command consumer and the transactional producer. */
  rdkafka: RdKafka;
  /** Bootstrap servers, for the reader that restores the state of the partitions it is given. */
  brokers: readonly string[];
  /** TLS and SASL of the cluster, for the readers. */
  security?: KafkaSecurity;
  /**
   * Folder of the instances' local state stores: each keeps the snapshots of the partitions it
   * owns in `<stateDir>/<groupId>.<instanceId>`, and restores only what changed since.
   */
  stateDir: string;
  /** Bytes of snapshots (as JSON) kept decoded in memory per context. Default 32 MiB. */
  stateCacheBytes?: number;
  /** How long a stream answers a repeated command id with its first reply (`VERITY_OUTCOME_RETENTION_MS`). */
  outcomeWindowMs: number;
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
  /**
   * Names this instance's transactional producer, `<groupId>.<instanceId>`. Give each instance
   * a stable one (a pod ordinal, a host name): a restarted instance then aborts at once what
   * its killed predecessor left open, instead of read_committed readers waiting for the
   * transaction timeout, and reopens its local state store. Two live instances must not share
   * one (the second cannot open the store). Default: the host name.
   */
  instanceId?: string;
  /** Replication factor of topics it creates. Default 1 (the local stack has one broker). */
  replicationFactor?: number;
  /** How often, in ms, the streams of the partitions it owns are checked for due timers (`ContextDefinition.timers`). Default 1000. */
  timerIntervalMs?: number;
}

/** librdkafka's RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, the code of a rebalance's assignment. */
const ASSIGN_PARTITIONS = -175;

export interface CommandProcessor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once it has joined its group and can process. */
  isReady(): boolean;
}

/**
 * The write side of one context. One writer per partition: the instance that owns command
 * partition p is the only one writing events and state partition p; a zombie that still
 * writes for it is fenced by the group generation its transaction's offsets carry (KIP-447).
 * ONE transaction holds the events, the new snapshots, the replies and the consumed offsets
 * of the batches the instance decided meanwhile, whatever their partitions.
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
  const restoredRecords = sharedCounter(options.metrics, {
    name: 'verity_state_restored_records_total',
    help: 'State records read into the local store when partitions were restored',
    labelNames: ['context'],
  });
  const batchSeconds = sharedHistogram(options.metrics, {
    name: 'verity_command_batch_seconds',
    help: 'Time to decide and commit one batch of commands',
    labelNames: ['context'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  const admin: Admin = kafka.admin();
  /** Partitions restored since the last rebalance or failure, with what they have in flight. */
  const lanes = new Map<number, PartitionLane>();
  /** Partitions whose failed batches are consumed again from this offset: other batches are passed over until it comes. */
  const rewinding = new Map<number, bigint>();
  let revoking = false;
  const listeners = new Set<(partitions: readonly number[]) => void>();
  const assignments: PartitionAssignments = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  let ready = false;
  const consumer = options.rdkafka.consumer({
    kafkaJS: {
      groupId,
      fromBeginning: true,
      autoCommit: false,
      allowAutoTopicCreation: false,
      // A crashed processor's partitions wait for its session to expire: keep that short.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    },
    // Up to this many commands of a partition are decided together.
    'js.consumer.max.batch.size': 500,
    // Awaited by the consumer before it gives partitions up or takes new ones.
    rebalance_cb: async (error: KafkaJS.KafkaJSError, assignment: KafkaJS.TopicPartition[]) => {
      const assigned = error.code === ASSIGN_PARTITIONS;
      ready = false;
      // What was decided is committed (or failed) before the partitions move: a new owner reads it.
      revoking = true;
      await transactions.idle();
      revoking = false;
      // Another instance may have written to a partition we now own: restore again before deciding.
      lanes.clear();
      restorations.clear();
      rewinding.clear();
      transactions.reset();
      ready = assigned;
      const partitions = assigned ? assignment.map((tp) => tp.partition) : [];
      for (const listener of listeners) listener(partitions);
    },
  });
  const instanceId = options.instanceId ?? hostname();
  const dueTimes = (context.timers ?? []).map((t) => (state: unknown) => t.dueAt(state));
  const store = new SnapshotStore({
    path: join(options.stateDir, `${groupId}.${instanceId}`),
    cacheBytes: options.stateCacheBytes ?? 32 * 2 ** 20,
    timers: dueTimes,
  });
  /** Partitions restored (or being restored) since the last rebalance or failure. */
  const restorations = new Map<number, Promise<void>>();
  const references = new ReferenceTables({
    brokers: options.brokers,
    ...(options.security ? { security: options.security } : {}),
    admin,
    context,
    topicsOf,
    path: join(options.stateDir, `${groupId}.${instanceId}.references`),
    clientId: `${groupId}.${instanceId}`,
  });
  const timers = createTimerScheduler({
    kafka,
    assignments,
    context,
    commandsTopic: topics.commands,
    store,
    restored,
    logger: log,
    metrics: options.metrics,
    intervalMs: options.timerIntervalMs ?? 1000,
  });
  const transactions = createGroupCommit({
    kafka: options.rdkafka,
    consumer,
    transactionalId: `${groupId}.${instanceId}`,
    topics: { events: topics.events, state: topics.state, deadLetters: topics.deadLetters, replies: repliesTopic },
    logger: log,
    timers: dueTimes,
  });

  /**
   * Resolves once the local store holds every snapshot committed to a state partition: the
   * group's offsets were fetched stable (KIP-447), so another writer's last transaction is
   * final; this instance's own may not be after a failed commit (a timed-out commit may still
   * complete): fencing its id settles it before the state is read.
   */
  function restored(partition: number): Promise<void> {
    let restoring = restorations.get(partition);
    if (!restoring) {
      const started = restorePartition(partition);
      restoring = started;
      restorations.set(partition, started);
      started.catch(() => restorations.get(partition) === started && restorations.delete(partition));
    }
    return restoring;
  }

  async function restorePartition(partition: number): Promise<void> {
    await transactions.fence();
    const checkpoint = (await store.checkpoints([partition])).get(partition) ?? 0n;
    const from = await unlessRecreated(topics.state, partition, checkpoint);
    let read = 0;
    const reader = new PartitionReader({
      brokers: options.brokers,
      ...(options.security ? { security: options.security } : {}),
      topic: topics.state,
      clientId: `${groupId}.${instanceId}.restore`,
      apply: async (records) => {
        read += records.length;
        await store.restore(records);
      },
    });
    await reader.start(new Map([[partition, from]]));
    let end: bigint | undefined;
    try {
      await reader.catchUp([partition]);
      end = reader.position(partition);
    } finally {
      await reader.stop();
    }
    if (end !== undefined && end > from) await store.checkpoint(partition, end);
    restoredRecords.inc({ context: context.name }, read);
    log.info({ partition, from: from.toString(), to: end?.toString(), read }, 'state partition restored');
  }

  /**
   * Where to read a partition from, given a local checkpoint: from the start when the topic
   * ends before it, i.e. it was deleted and created again (a lost state topic rebuilt with
   * `verity state rebuild`), whose offsets start over.
   */
  async function unlessRecreated(topic: string, partition: number, checkpoint: bigint): Promise<bigint> {
    if (checkpoint === 0n) return 0n;
    const high = (await fetchTopicOffsets(admin, topic)).find((o) => o.partition === partition)?.high;
    if (high !== undefined && BigInt(high) >= checkpoint) return checkpoint;
    log.warn(
      { topic, partition, checkpoint: checkpoint.toString(), high },
      'topic ends before the local checkpoint; reading it from the start',
    );
    return 0n;
  }

  /** Consumes a partition again from `offset`; the state is read back before deciding. */
  function rewind(topic: string, partition: number, offset: bigint): void {
    lanes.delete(partition);
    restorations.delete(partition);
    if (revoking) return;
    rewinding.set(partition, offset);
    try {
      consumer.seek({ topic, partition, offset: offset.toString() });
    } catch (error) {
      // Not assigned any more: its next owner starts from the committed offset.
      log.warn({ err: error, partition }, 'could not seek back a partition');
    }
  }

  async function processBatch(payload: KafkaJS.EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    const started = process.hrtime.bigint();
    const firstOffset = batch.messages[0]?.offset;
    const lastOffset = batch.messages.at(-1)?.offset;
    if (firstOffset === undefined || lastOffset === undefined) return;
    const target = rewinding.get(partition);
    if (target !== undefined) {
      // Fetched before the seek back: seek again (so the consumer does not resume from here) and wait.
      if (BigInt(firstOffset) !== target) return rewind(batch.topic, partition, target);
      rewinding.delete(partition);
    }
    let lane = lanes.get(partition);
    if (!lane) {
      await restored(partition);
      lane = new PartitionLane(BigInt(firstOffset));
      lanes.set(partition, lane);
    }

    const records = batch.messages.map(readCommandRecord);
    const [snapshots] = await Promise.all([
      store.load(records.flatMap((r) => (r.kind === 'command' ? [r.envelope.streamId] : []))),
      references.catchUpFor(commandNamesOf(context, records)),
    ]);
    // Deciding is synchronous, so the consumer cannot stop or go stale halfway through it: this
    // one check stands for a check before each record.
    if (revoking || !payload.isRunning() || payload.isStale() || lanes.get(partition) !== lane) return;
    const decided = decideBatch({
      context,
      source: { topic: batch.topic, partition },
      records,
      snapshots: lane.over(snapshots),
      inFlight: lane.inFlight,
      encode: (fullName, data) => serde.encode(topics.events, fullName, data),
      references: (commandName, tenant, payload) => references.lookup(commandName, tenant, payload),
      outcomeWindowMs: options.outcomeWindowMs,
    });
    for (const { offset, reason } of decided.deadLetters)
      log.warn({ partition, offset, reason }, 'command sent to dead-letter topic');

    const current = lane;
    current.stage(decided);
    const previous = current.last;
    current.last = transactions.commit({ topic: batch.topic, partition, lastOffset }, decided).then(
      (settled) => {
        store
          .write([{ partition, snapshots: settled.snapshots, checkpoint: settled.stateEnd }])
          .catch((error: unknown) => log.error({ err: error, partition }, 'could not write the local state store'));
        current.committed(decided, BigInt(lastOffset), settled.snapshots);
        for (const o of decided.commands) {
          commandsProcessed.inc({
            context: context.name,
            outcome: o.kind === 'decided' ? (o.rejection ? 'rejected' : 'accepted') : 'repeated',
          });
        }
        deadLettered.inc({ context: context.name }, decided.deadLetters.length);
        batchSeconds.observe({ context: context.name }, Number(process.hrtime.bigint() - started) / 1e9);
      },
      () => {
        // Everything not committed is decided again, on the state read back from Kafka: what
        // the failed transaction did is only known then.
        if (lanes.get(partition) === current) rewind(batch.topic, partition, current.committedNext);
      },
    );
    payload.resolveOffset(lastOffset);
    // At most two batches of a partition are in flight: this one and the one before it.
    await previous;
  }

  return {
    async start() {
      await admin.connect();
      const referenced = Object.values(context.references ?? {}).map((r) => topicsOf(r.context));
      await ensureTopics(
        admin,
        [
          ...[topics, ...referenced].flatMap((t) => contextTopicConfigs(t, partitions)),
          repliesTopicConfig(repliesTopic, { retentionMs: options.outcomeWindowMs }),
        ],
        options.replicationFactor,
      );
      await serde.register(
        topics.events,
        context.events.map((e) => eventFullName(context.name, e)),
      );
      await store.open();
      await references.start();
      await consumer.connect();
      await consumer.subscribe({ topics: [topics.commands] });
      await timers.start();
      await consumer.run({
        eachBatchAutoResolve: false,
        // Batches of different partitions are decided side by side and committed together.
        partitionsConsumedConcurrently: partitions,
        eachBatch: processBatch,
      });
      log.info({ topics }, 'command processor started');
    },
    async stop() {
      ready = false;
      await timers.stop();
      await consumer.disconnect();
      await store.close();
      await references.stop();
      await transactions.close();
      await admin.disconnect();
    },
    isReady: () => ready,
  };
}
