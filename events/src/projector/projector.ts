import type { Redis } from 'ioredis';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import { sharedCounter, sharedGauge, sharedHistogram } from '../metrics';
import type { AvroSerde } from '../avro-serde';
import { InvalidOptionError } from '@verity/core';
import type { Logger } from '../logger';
import { contextTopicConfigs, ensureTopics, type ContextTopics } from '../topics';
import { commitGroupBatch, handledBy, migrateProjection, type CommittedBatch, type ProjectionPart } from './batch';
import { CHECKPOINTED_RUN, commitOffsetsEverySecond, gatheredFetch, seekToCheckpointsOnJoin } from './checkpoint-seek';
import { publishCheckpointNotices } from './checkpoint-notice';
import { decodeEvent } from './decode-event';
import { groupCommits } from './group-commits';
import { onSkippedBatch } from './skipped-batches';
import type { EventEnvelope, ProjectionOf } from './projection';
import { sleep } from '../retry';

/** A failed cache update is retried after this, doubling up to the most. */
const CACHE_REPAIR_FIRST_MS = 100;
const CACHE_REPAIR_MAX_MS = 10_000;
/**
 * A batch `select` took nothing from moves its checkpoint at most this often per partition, the
 * last such move by a timer: with no subscription taking the events, a commit a batch was most of
 * the webhook outbox's cost, and after a crash re-reading this much of events that change
 * nothing costs little.
 */
const SKIPPED_CHECKPOINT_EVERY_MS = 1_000;

export interface ProjectorOptions<Event extends EventEnvelope, Change> {
  kafka: Kafka;
  serde: AvroSerde;
  /**
   * The read models it builds, from one consumer: a record is fetched and decoded once for all
   * of them, and a batch is applied to those that read its topic in one transaction.
   */
  projections: readonly ProjectionOf<Event, Change>[];
  /** The topics of a context (its events topic is what the projections of that context read). */
  topicsOf: (context: string) => ContextTopics;
  db: Knex;
  /** PostgreSQL schema of the projections' tables and checkpoints. */
  schema: string;
  redis: Redis;
  cacheKeyPrefix: string;
  groupId: string;
  logger: Logger;
  metrics: Registry;
  /** Partitions of the contexts' topics if it has to create them. Default 3. */
  partitions?: number;
  replicationFactor?: number;
  /**
   * Partitions applied at once. Default 1. With more, the batches of a topic's partitions that
   * are decoded together, or while a commit of that topic runs, are applied in one transaction.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Whether it tells readers waiting on a consistency token where its checkpoints are (Redis
   * pub/sub, every query-api instance parses each notice). Default true; false for a projection
   * no read waits on, such as the webhook outbox.
   */
  checkpointNotices?: boolean;
  /**
   * How long the broker may hold a fetch to gather up to 1 MiB of records. Default 0: a fetch
   * returns with the first record there, as a read model that readers wait on needs. A consumer
   * no reader waits on trades this much delay for fewer, fuller fetches (measured: the webhook
   * outbox's CPU a command fell from 720 to 156–236 µs at 1 s).
   */
  fetchGatherMs?: number;
}

/** A partition's batch decoded and selected, each part's events for its read model, in members' order. */
interface ReadyBatch<Event extends EventEnvelope, Change> {
  partition: number;
  nextOffset: string;
  parts: readonly ProjectionPart<Event, Change>[];
}

/** A partition's checkpoint move owed by batches `select` took nothing from. */
interface SkippedMove {
  topic: string;
  partition: number;
  nextOffset: string;
  /** When it was last written (ms since the epoch). */
  writtenAt: number;
  /** Moved past what was last written, and no commit has moved it since. */
  owed: boolean;
}

export interface Projector {
  start(): Promise<void>;
  stop(): Promise<void>;
  isReady(): boolean;
}

/** One read model of the group, with its cache updates still owed. */
interface Member<Event extends EventEnvelope, Change> {
  projection: ProjectionOf<Event, Change>;
  handles: (type: string) => type is Event['type'];
  /**
   * The cache updates that failed, retried in order until Redis takes them: a value left stale
   * would be served to every read of its key, and a checkpoint notice (which tells a reader the
   * cache holds the write) waits until none is owed.
   */
  repair?: Promise<void>;
}

/**
 * Builds read models from the events topics of their contexts, with one consumer. Per batch
 * (one partition of one topic, with the batches of its other partitions ready at the same
 * time), ONE PostgreSQL transaction applies the events to every read model that reads the topic
 * and moves each one's checkpoint of those partitions; events below a checkpoint are skipped,
 * so a crash anywhere applies nothing twice. After the commit, the cache is told; Redis being
 * down makes reads slower, never wrong.
 *
 * One consumer and one transaction for all: four read models read the inventory topic, and each
 * with its own consumer fetched and decoded every record again and committed its own transaction
 * (a WAL flush) a batch.
 */
export function createProjector<Event extends EventEnvelope, Change>(
  options: ProjectorOptions<Event, Change>,
): Projector {
  const { kafka, serde, projections, db, schema, redis, cacheKeyPrefix, groupId } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new InvalidOptionError('schema', 'a lowercase PostgreSQL identifier');
  if (projections.length === 0) throw new InvalidOptionError('projections', 'at least one read model');
  const names = projections.map((p) => p.name);
  if (new Set(names).size !== names.length)
    throw new InvalidOptionError('projections', 'read models of distinct names');
  if (projections.some((p) => p.contexts.length === 0))
    throw new InvalidOptionError('projections', 'read models that read at least one context');
  const members: Member<Event, Change>[] = projections.map((projection) => ({
    projection,
    handles: handledBy(projection),
  }));
  /** Per events topic, the members that read it, and every event type one of them applies. */
  const readersOf = new Map<string, { members: Member<Event, Change>[]; handled: Set<string> }>();
  for (const member of members)
    for (const context of member.projection.contexts) {
      const topic = options.topicsOf(context).events;
      const readers = readersOf.get(topic) ?? { members: [], handled: new Set<string>() };
      readers.members.push(member);
      for (const type of member.projection.events) readers.handled.add(type);
      readersOf.set(topic, readers);
    }
  const eventsTopics = [...readersOf.keys()];
  const contexts = [...new Set(projections.flatMap((p) => p.contexts))];
  const log = options.logger.child({ component: 'projector', projections: names });
  const admin: Admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    // A crashed instance's partitions wait for its session to expire, and its read models with
    // them: 10 s as the processor's, not kafkajs' 30 s, within the 30 s a change has to show.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    ...gatheredFetch(options.fetchGatherMs),
  });

  const applied = sharedCounter(options.metrics, {
    name: 'verity_projection_events_applied_total',
    help: 'Events applied to read models',
    labelNames: ['projection'],
  });
  const lag = sharedGauge(options.metrics, {
    name: 'verity_projection_lag_events',
    help: 'Events between the last applied one and the end of the partition',
    labelNames: ['projection', 'topic', 'partition'],
  });

  const batchSeconds = sharedHistogram(options.metrics, {
    name: 'verity_projection_batch_seconds',
    help: 'Time to apply one batch of one partition to the read models, commit it and update the cache',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  // What a reader waits for, and the lag gauge does not show in time: the oldest event of each
  // batch, from when the processor wrote it (its record timestamp) to when it is readable.
  const delaySeconds = sharedHistogram(options.metrics, {
    name: 'verity_projection_delay_seconds',
    help: "Per batch, from its oldest event's record timestamp to the batch committed and cached",
    labelNames: ['topic'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });

  const seek = seekToCheckpointsOnJoin(consumer, {
    db,
    schema,
    readers: new Map([...readersOf].map(([topic, r]) => [topic, r.members.map((m) => m.projection.name)])),
    log,
  });
  const commits = commitOffsetsEverySecond(consumer, log);

  const notices = options.checkpointNotices ?? true;

  const publish = (member: Member<Event, Change>, changes: Change[]): Promise<void> =>
    member.projection.publish({ schema, db }, { redis, keyPrefix: cacheKeyPrefix }, changes);
  let stopped = false;
  function repairCache(member: Member<Event, Change>, changes: Change[]): void {
    const attempt = (member.repair ?? Promise.resolve()).then(async () => {
      for (let delayMs = CACHE_REPAIR_FIRST_MS; !stopped; delayMs = Math.min(delayMs * 2, CACHE_REPAIR_MAX_MS)) {
        await sleep(delayMs);
        try {
          await publish(member, changes);
          return;
        } catch (error) {
          log.debug({ err: error, projection: member.projection.name }, 'cache update retry failed');
        }
      }
    });
    member.repair = attempt;
    void attempt.then(() => {
      if (member.repair === attempt) member.repair = undefined;
    });
  }

  /**
   * Per partition, where batches that applied nothing have brought it (those `select` took
   * nothing from, and those read_committed left nothing of), and when that was last written.
   */
  const skipped = new Map<string, SkippedMove>();
  const skippedKey = (topic: string, partition: number): string => `${topic}/${partition}`;
  async function writeSkipped(entry: SkippedMove): Promise<void> {
    entry.owed = false;
    entry.writtenAt = Date.now();
    const { topic, partition, nextOffset } = entry;
    const parts = (readersOf.get(topic)?.members ?? []).map((m) => ({ projection: m.projection, events: [] }));
    try {
      await commitGroupBatch(db, schema, parts, { topic, moves: [{ partition, nextOffset }] });
    } catch (error) {
      entry.owed = true;
      throw error;
    }
  }
  /** Notes that the partition's checkpoints owe a move to `nextOffset`, for `writeSkipped`. */
  function oweMove(topic: string, partition: number, nextOffset: string): SkippedMove {
    const key = skippedKey(topic, partition);
    const entry = skipped.get(key) ?? { topic, partition, nextOffset, writtenAt: 0, owed: true };
    skipped.set(key, Object.assign(entry, { nextOffset, owed: true }));
    return entry;
  }
  const notMoved = (error: Error): void => log.warn({ err: error }, 'checkpoint not moved; retried');
  const writeOwed = (olderThanMs: number): Promise<unknown> =>
    Promise.all(
      [...skipped.values()]
        .filter((e) => e.owed && Date.now() - e.writtenAt >= olderThanMs)
        .map((e) => writeSkipped(e).catch(notMoved)),
    );
  let skippedTimer: NodeJS.Timeout | undefined;

  /** Each reader's lag on the partition: records from `nextOffset` to its end. */
  function showLag(
    members: readonly Member<Event, Change>[],
    at: { topic: string; partition: number; nextOffset: string; highWatermark: string },
  ) {
    const behind = Math.max(0, Number(BigInt(at.highWatermark) - BigInt(at.nextOffset)));
    for (const { projection } of members)
      lag.set({ projection: projection.name, topic: at.topic, partition: String(at.partition) }, behind);
  }
  onSkippedBatch(consumer, (batch) => {
    const readers = readersOf.get(batch.topic);
    if (!readers) return;
    writeSkipped(oweMove(batch.topic, batch.partition, batch.nextOffset)).catch(notMoved);
    showLag(readers.members, batch);
  });

  /** Each read model's committed changes to the cache, the failed ones repaired in the background. */
  async function publishAll(
    members: readonly Member<Event, Change>[],
    parts: readonly { events: readonly Event[] }[],
    committed: readonly CommittedBatch<Change>[],
  ): Promise<void> {
    await Promise.all(
      members.map(async (member, i) => {
        const { applied: count, changes } = committed[i]!;
        applied.inc({ projection: member.projection.name }, count);
        // As when it had a transaction of its own: one that took no event has nothing to tell.
        if (parts[i]!.events.length === 0) return;
        try {
          await publish(member, changes);
        } catch (error) {
          log.warn(
            { err: error, projection: member.projection.name },
            'cache update failed; retried in the background, reads fall back to PostgreSQL',
          );
          repairCache(member, changes);
        }
      }),
    );
  }

  /**
   * Per topic, its batches committed in groups (`groupCommits`): at 500 commands a second the
   * three partitions' batches of a fetch were three transactions, each with its statements and
   * cache update.
   */
  const topicCommits = new Map<string, (batch: ReadyBatch<Event, Change>) => Promise<void>>();
  function commitsOf(topic: string, readers: readonly Member<Event, Change>[]) {
    let commit = topicCommits.get(topic);
    if (!commit) {
      commit = groupCommits<ReadyBatch<Event, Change>>(async (batches) => {
        const parts = readers.map(({ projection }, i) => ({
          projection,
          events: batches.flatMap((batch) => batch.parts[i]!.events),
        }));
        const moves = batches.map(({ partition, nextOffset }) => ({ partition, nextOffset }));
        const committed = await commitGroupBatch(db, schema, parts, { topic, moves });
        if (committed) await publishAll(readers, parts, committed);
      });
      topicCommits.set(topic, commit);
    }
    return commit;
  }

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const startedAt = Date.now();
    const { batch } = payload;
    const { topic, partition } = batch;
    const readers = readersOf.get(topic);
    if (!readers) return;
    const decoded: Event[][] = readers.members.map(() => []);
    const handled = (type: string) => readers.handled.has(type);
    let lastOffset: string | undefined;
    let whole = true;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) {
        whole = false;
        break;
      }
      lastOffset = message.offset;
      const event = await decodeEvent<Event>(serde, topic, partition, message, handled);
      if (!event) continue;
      readers.members.forEach((member, i) => {
        if (member.handles(event.type)) decoded[i]!.push(event);
      });
    }
    if (lastOffset === undefined) return;
    // Past what read_committed left out after the last event too (an aborted transaction's
    // records, markers): the checkpoint then reaches the partition's end.
    if (whole) lastOffset = batch.lastOffset();
    const nextOffset = (BigInt(lastOffset) + 1n).toString();
    const parts = await Promise.all(
      readers.members.map(async ({ projection }, i) => {
        const events = decoded[i]!;
        return {
          projection,
          events: projection.select && events.length > 0 ? await projection.select(events) : events,
        };
      }),
    );
    if (parts.every((p) => p.events.length === 0) && decoded.some((events) => events.length > 0)) {
      const entry = oweMove(topic, partition, nextOffset);
      if (Date.now() - entry.writtenAt >= SKIPPED_CHECKPOINT_EVERY_MS) await writeSkipped(entry);
    } else {
      await commitsOf(topic, readers.members)({ partition, nextOffset, parts });
      // This batch's checkpoints are past any move still owed for the partition.
      const entry = skipped.get(skippedKey(topic, partition));
      if (entry) entry.owed = false;
    }
    // After the cache: a reader woken by it reads the cache, so no notice while a batch's cache
    // update is still owed (readers then find the checkpoint in PostgreSQL and skip the cache).
    // Also for a batch of events a projection does not apply: its checkpoint moved past them.
    if (notices) {
      const told = readers.members
        .filter((member) => member.repair === undefined)
        .map(({ projection }) => ({ schema, projection: projection.name, topic, partition, offset: nextOffset }));
      publishCheckpointNotices(redis, cacheKeyPrefix, told).catch((error: Error) =>
        log.debug({ err: error }, 'checkpoint notices not published; readers poll'),
      );
    }
    const doneAt = Date.now();
    batchSeconds.observe({ topic }, (doneAt - startedAt) / 1000);
    delaySeconds.observe({ topic }, Math.max(0, doneAt - Number(batch.messages[0]!.timestamp)) / 1000);
    showLag(readers.members, { topic, partition, nextOffset, highWatermark: batch.highWatermark });
    await commits.settle(payload, lastOffset);
  }

  return {
    async start() {
      for (const projection of projections) await migrateProjection(db, schema, projection);
      await admin.connect();
      await ensureTopics(
        admin,
        contexts.flatMap((context) => contextTopicConfigs(options.topicsOf(context), options.partitions ?? 3)),
        options.replicationFactor,
      );
      await consumer.connect();
      await consumer.subscribe({ topics: eventsTopics, fromBeginning: true });
      await seek.prime();
      skippedTimer = setInterval(() => void writeOwed(SKIPPED_CHECKPOINT_EVERY_MS), SKIPPED_CHECKPOINT_EVERY_MS);
      skippedTimer.unref();
      await consumer.run({
        ...CHECKPOINTED_RUN,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: processBatch,
      });
      log.info({ topics: eventsTopics, schema }, 'projector started');
    },
    async stop() {
      seek.stop();
      stopped = true;
      await commits.stop();
      await consumer.disconnect();
      clearInterval(skippedTimer);
      await writeOwed(0);
      await admin.disconnect();
    },
    isReady: seek.isReady,
  };
}
