import { randomUUID } from 'node:crypto';
import type { Admin, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { sharedCounter, sharedHistogram } from '../metrics';
import type { AvroSerde } from '../avro-serde';
import { CompactedTable } from '../compacted-table';
import { encodeConsistencyToken, eventFullName, findCommand, type ContextDefinition, DomainRejection, type DomainCommand, type DomainEvent, commandEnvelopeSchema, commandFingerprint, type AppendedEvent, type CommandEnvelope, type CommandReply, InvalidOptionError, toHeaders, chain } from '@verity/core';
import type { Logger } from '../logger';
import { retry } from '../retry';
import { contextTopicConfigs, ensureTopics, repliesTopicConfig, type ContextTopics } from '../topics';
import { ReferenceTables } from './reference-tables';
import { remember, type StreamSnapshot } from './stream-snapshot';
import { createTimerScheduler } from './timers';

export interface CommandProcessorOptions {
  kafka: Kafka;
  serde: AvroSerde;
  context: ContextDefinition;
  /** Topics of a context by name: this one's, and those of the contexts it references. */
  topicsOf(context: string): ContextTopics;
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

/** A decided command: new events, or a rejection. */
interface Decided {
  kind: 'decided';
  envelope: CommandEnvelope;
  fingerprint: string;
  /** Stream version after the command: unchanged for a rejection. */
  version: number;
  /** Events to append, already encoded and chained. */
  records: { type: string; message: Message }[];
  rejection?: DomainRejection;
}

/** A command id this stream has seen: its original reply is sent again, nothing else is written. */
type Repeated = { kind: 'repeat'; reply: CommandReply } | { kind: 'repeat-in-batch'; of: Decided };

type Outcome = Decided | Repeated;

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
  const producers = new Map<number, Producer>();
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

  async function producerFor(partition: number): Promise<Producer> {
    let producer = producers.get(partition);
    if (!producer) {
      producer = kafka.producer({
        transactionalId: `${groupId}.p${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // A transaction left open by a crash blocks read_committed readers until it times out.
        transactionTimeout: 30_000,
        // The broker answers CONCURRENT_TRANSACTIONS while it still writes the previous commit's
        // markers (kafkajs#1315); kafkajs' default first backoff of 300 ms would idle every
        // back-to-back transaction. The Java client retries this after 20 ms.
        retry: { initialRetryTime: 20, maxRetryTime: 1_000, retries: Number.MAX_SAFE_INTEGER },
      });
      await producer.connect();
      // kafkajs sends InitProducerId with the transactional id only when a transaction begins, not
      // on connect. Begin and drop an empty one now: that fences a zombie still holding this
      // partition and aborts its open transaction, before we wait for the state partition's end.
      await (await producer.transaction()).abort();
      producers.set(partition, producer);
    }
    return producer;
  }

  async function dropProducer(partition: number): Promise<void> {
    const producer = producers.get(partition);
    producers.delete(partition);
    await producer?.disconnect().catch(() => undefined);
  }

  function parseEnvelope(message: KafkaMessage): CommandEnvelope | string {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      return `not JSON: ${(error as Error).message}`;
    }
    const parsed = commandEnvelopeSchema.safeParse(json);
    return parsed.success ? parsed.data : `not a command envelope: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  }

  function decideOne(envelope: CommandEnvelope, partition: number, staged: Map<string, StreamSnapshot>, inBatch: Map<string, Decided>): Outcome {
    const current = staged.get(envelope.streamId) ?? table.get(envelope.streamId);
    const seenInBatch = inBatch.get(envelope.commandId);
    if (seenInBatch) return { kind: 'repeat-in-batch', of: seenInBatch };
    const seen = current?.recent.find((r) => r.commandId === envelope.commandId);
    if (seen) return { kind: 'repeat', reply: seen };

    const fingerprint = commandFingerprint(envelope);
    const version = current?.version ?? 0;
    const decided = (rest: Pick<Decided, 'version' | 'records' | 'rejection'>): Decided => {
      const outcome: Decided = { kind: 'decided', envelope, fingerprint, ...rest };
      inBatch.set(envelope.commandId, outcome);
      return outcome;
    };
    const reject = (rejection: DomainRejection): Decided => {
      staged.set(envelope.streamId, {
        streamId: envelope.streamId,
        version,
        state: current?.state ?? context.decider.initialState(),
        lastHash: current?.lastHash ?? '',
        sequence: (current?.sequence ?? 0) + 1,
        recent: current?.recent ?? [],
      });
      return decided({ version, records: [], rejection });
    };

    const found = findCommand([context], envelope.type);
    if (!found) return reject(new DomainRejection('unknown_command_type', `${envelope.type} is not a command of ${context.name}`));
    const { name: commandName, definition } = found;
    const payload = definition.schema.safeParse(envelope.payload);
    if (!payload.success) {
      return reject(
        new DomainRejection('validation_failed', 'payload is invalid', {
          errors: payload.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
      );
    }
    if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== version) {
      return reject(
        new DomainRejection('version_conflict', `expected version ${envelope.expectedVersion}, stream is at ${version}`, {
          expectedVersion: envelope.expectedVersion,
        }),
      );
    }
    const { tenant, receivedAt, actor, sourceSystem, sourceTimestamp } = envelope.metadata;
    const command: DomainCommand = {
      type: commandName,
      data: payload.data,
      metadata: { tenant, now: new Date(receivedAt), actor, commandId: envelope.commandId, source: { system: sourceSystem, at: new Date(sourceTimestamp) } },
      references: references.lookup(commandName, tenant, payload.data),
    };
    const state: unknown = current ? current.state : context.decider.initialState();
    let events: DomainEvent[];
    try {
      events = context.decider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainRejection) return reject(error);
      throw error;
    }

    let next: unknown = state;
    let lastHash = current?.lastHash ?? '';
    const records = events.map((event, index) => {
      next = context.decider.evolve(next, event);
      const fullName = eventFullName(context.name, event.type);
      const { value, schemaVersion } = serde.encode(topics.events, fullName, event.data);
      const metadata = chain(
        lastHash,
        {
          id: `${envelope.commandId}:${index}`,
          type: fullName,
          source: `/verity/${context.name}`,
          time: envelope.metadata.receivedAt,
          subject: envelope.streamId,
          streamVersion: version + index + 1,
          schemaVersion,
          tenant: envelope.metadata.tenant,
          actor: envelope.metadata.actor,
          correlationId: envelope.metadata.correlationId,
          causationId: envelope.commandId,
          sourceSystem: envelope.metadata.sourceSystem,
          sourceTimestamp: envelope.metadata.sourceTimestamp,
        },
        value,
      );
      lastHash = metadata.hash;
      return { type: fullName, message: { key: envelope.streamId, value, partition, headers: toHeaders(metadata) } };
    });
    staged.set(envelope.streamId, {
      streamId: envelope.streamId,
      version: version + events.length,
      state: next,
      lastHash,
      sequence: (current?.sequence ?? 0) + 1,
      recent: current?.recent ?? [],
    });
    return decided({ version: version + events.length, records });
  }

  function toReply(outcome: Decided, events: AppendedEvent[]): CommandReply {
    const { envelope, rejection, version, fingerprint } = outcome;
    const base = { commandId: envelope.commandId, fingerprint, streamId: envelope.streamId, version };
    if (rejection) return { status: 'rejected', ...base, code: rejection.code, reason: rejection.message, details: rejection.details };
    const last = events[events.length - 1];
    return {
      status: 'accepted',
      ...base,
      events,
      consistencyToken: encodeConsistencyToken({
        topic: topics.events,
        offsets: last ? { [last.partition]: (BigInt(last.offset) + 1n).toString() } : {},
      }),
    };
  }

  async function processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const started = process.hrtime.bigint();
    const producer = await producerFor(partition);
    if (!restored.has(partition)) {
      await table.catchUp([partition]);
      restored.add(partition);
    }

    const staged = new Map<string, StreamSnapshot>();
    const inBatch = new Map<string, Decided>();
    const outcomes: Outcome[] = [];
    const deadLetters: Message[] = [];
    const envelopes = batch.messages.map(parseEnvelope);
    const commandNames = envelopes.flatMap((e) => {
      const found = typeof e === 'string' ? undefined : findCommand([context], e.type);
      return found ? [found.name] : [];
    });
    await references.catchUpFor(commandNames);
    let lastOffset: string | undefined;
    for (const [index, message] of batch.messages.entries()) {
      if (!isRunning() || isStale()) break;
      const envelope = envelopes[index]!;
      if (typeof envelope === 'string') {
        log.warn({ partition, offset: message.offset, reason: envelope }, 'command sent to dead-letter topic');
        deadLetters.push({
          key: message.key,
          value: message.value,
          headers: { ...message.headers, verity_dlq_reason: envelope, verity_dlq_source: `${batch.topic}/${partition}/${message.offset}` },
        });
      } else {
        outcomes.push(decideOne(envelope, partition, staged, inBatch));
      }
      lastOffset = message.offset;
    }
    if (lastOffset === undefined) return;

    const transaction = await producer.transaction();
    try {
      const decided = outcomes.filter((o): o is Decided => o.kind === 'decided');
      const eventRecords = decided.flatMap((o) => o.records);
      let appendedAt = 0n;
      if (eventRecords.length > 0) {
        const [metadata] = await transaction.send({ topic: topics.events, acks: -1, messages: eventRecords.map((r) => r.message) });
        appendedAt = BigInt(metadata?.baseOffset ?? '0');
      }
      const replies = new Map<Decided, CommandReply>();
      for (const o of decided) {
        const events = o.records.map((r, i) => ({ type: r.type, topic: topics.events, partition, offset: (appendedAt + BigInt(i)).toString() }));
        appendedAt += BigInt(o.records.length);
        const reply = toReply(o, events);
        replies.set(o, reply);
        const snapshot = staged.get(o.envelope.streamId)!;
        staged.set(o.envelope.streamId, { ...snapshot, recent: remember(snapshot.recent, reply) });
      }
      const replyOf = (o: Outcome): CommandReply => (o.kind === 'repeat' ? o.reply : replies.get(o.kind === 'decided' ? o : o.of)!);
      const messagesByTopic = [
        { topic: topics.state, messages: [...staged.values()].map((s) => ({ key: s.streamId, value: JSON.stringify(s), partition })) },
        { topic: repliesTopic, messages: outcomes.map((o) => ({ key: replyOf(o).commandId, value: JSON.stringify(replyOf(o)) })) },
        { topic: topics.deadLetters, messages: deadLetters },
      ].filter((t) => t.messages.length > 0);
      if (messagesByTopic.length > 0) await transaction.sendBatch({ acks: -1, topicMessages: messagesByTopic });
      // kafkajs does not retry sendOffsets on CONCURRENT_TRANSACTIONS (kafkajs#430): we do.
      await retry(
        () =>
          transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [{ topic: batch.topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
          }),
        { attempts: 8 },
      );
      await transaction.commit();
    } catch (error) {
      log.error({ err: error, partition }, 'batch aborted; it will be redone');
      await transaction.abort().catch(() => undefined);
      // A producer whose transaction failed may carry stale state (Jepsen 2024): start afresh.
      await dropProducer(partition);
      throw error;
    }

    for (const snapshot of staged.values()) table.put(snapshot.streamId, snapshot);
    for (const o of outcomes) {
      commandsProcessed.inc({ context: context.name, outcome: o.kind === 'decided' ? (o.rejection ? 'rejected' : 'accepted') : 'repeated' });
    }
    deadLettered.inc({ context: context.name }, deadLetters.length);
    resolveOffset(lastOffset);
    await heartbeat();
    batchSeconds.observe({ context: context.name }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  return {
    async start() {
      await admin.connect();
      const referenced = Object.values(context.references ?? {}).map((r) => topicsOf(r.context));
      await ensureTopics(
        admin,
        [...[topics, ...referenced].flatMap((t) => contextTopicConfigs(t, partitions)), repliesTopicConfig(repliesTopic)],
        options.replicationFactor,
      );
      await serde.register(topics.events, context.events.map((e) => eventFullName(context.name, e)));
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
      await Promise.all([...producers.keys()].map(dropProducer));
      await admin.disconnect();
    },
    isReady: () => ready,
  };
}
