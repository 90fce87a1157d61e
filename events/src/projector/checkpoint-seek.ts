import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { startOffsets } from './checkpoints';

/** Whether the consumer has started where its checkpoints say, since it last joined or crashed. */
export interface CheckpointSeek {
  /**
   * Reads the checkpoints now, for the next join to seek from at once: call it just before
   * `consumer.run`. A seek that waits for PostgreSQL lands after kafkajs has sent its first
   * fetch, whose records are then dropped and fetched again (about 40 ms at the start of a
   * rebuild). A checkpoint another member moves meanwhile only makes batches skip what it applied.
   */
  prime: () => Promise<void>;
  isReady: () => boolean;
  /** Stopping: not ready from now on. */
  stop: () => void;
}

type StartOffsets = ReadonlyMap<string, ReadonlyMap<number, string>>;

/**
 * Starts a consumer where PostgreSQL's checkpoints say, not where Kafka's committed offsets do,
 * each time the group hands it partitions: the checkpoint moves in the transaction that applies
 * a batch, the committed offset after it. `readers` names, per topic, the checkpoints of the
 * projections the consumer reads it for; a partition starts at the lowest of them, and at 0
 * where one is missing (one past the topic's retention starts at the earliest record kept).
 * Until the seek is done the consumer is not ready; batches handed before it still skip what
 * their checkpoints say was applied.
 */
export function seekToCheckpointsOnJoin(
  consumer: Consumer,
  options: { db: Knex; schema: string; readers: ReadonlyMap<string, readonly string[]>; log: Logger },
): CheckpointSeek {
  const { db, schema, readers, log } = options;
  let ready = false;
  /** Read by `prime`, for the next join only. */
  let primed: StartOffsets | undefined;
  const read = async (topics: readonly string[]): Promise<StartOffsets> =>
    new Map(
      await Promise.all(
        topics.map(async (topic) => [topic, await startOffsets(db, schema, readers.get(topic) ?? [], topic)] as const),
      ),
    );
  const seekAll = (assignment: Record<string, number[] | undefined>, starts: StartOffsets): void => {
    for (const [topic, checkpoints] of starts)
      for (const partition of assignment[topic] ?? [])
        consumer.seek({ topic, partition, offset: checkpoints.get(partition) ?? '0' });
    ready = true;
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assignment = payload.memberAssignment;
    const starts = primed;
    primed = undefined;
    // Synchronously, so that the first fetch after the join already starts there.
    if (starts) return seekAll(assignment, starts);
    read([...readers.keys()].filter((topic) => (assignment[topic] ?? []).length > 0))
      .then((found) => seekAll(assignment, found))
      .catch((error: unknown) =>
        log.error({ err: error }, 'could not read checkpoints after joining; batches still skip what was applied'),
      );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    ready = false;
    log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
  });
  return {
    prime: async () => {
      primed = await read([...readers.keys()]);
    },
    isReady: () => ready,
    stop: () => {
      ready = false;
      primed = undefined;
    },
  };
}

/** `readers` of a consumer that reads `topics` for one checkpoint. */
export const readersOf = (checkpointName: string, topics: readonly string[]): ReadonlyMap<string, readonly string[]> =>
  new Map(topics.map((topic) => [topic, [checkpointName]]));

/**
 * kafkajs consumer settings that let the broker hold a fetch up to `gatherMs` to gather up to
 * 1 MiB of records: fewer, fuller batches (one PostgreSQL transaction each) for a consumer no
 * reader waits on, at the cost of that much delay. None for 0 or undefined: a fetch returns
 * with the first record there.
 */
export function gatheredFetch(gatherMs: number | undefined): { minBytes?: number; maxWaitTimeInMs?: number } {
  return gatherMs ? { minBytes: 1024 * 1024, maxWaitTimeInMs: gatherMs } : {};
}

/** `consumer.run` options of a consumer started by `seekToCheckpointsOnJoin`: its offsets are committed by `commitOffsetsEverySecond`. */
export const CHECKPOINTED_RUN = { autoCommit: false, eachBatchAutoResolve: false } as const satisfies ConsumerRunConfig;

/** Where a checkpointed consumer tells Kafka it is. */
export interface OffsetCommits {
  /** After a batch's checkpoint committed: marks it read through `offset`, to be committed, and heartbeats. */
  settle(payload: EachBatchPayload, offset: string): Promise<void>;
  /** Commits what is owed and stops: before the consumer disconnects. */
  stop(): Promise<void>;
}

/**
 * A consumer started by `seekToCheckpointsOnJoin` only shows the group's lag to tools with its
 * committed offsets, so they are committed from a timer, at most once a second, rather than after
 * every batch as kafkajs' auto-commit does (a broker request per batch, several hundred a second
 * under load), and the last batch's too once batches stop: an idle group shows no lag, which
 * lag monitors would report as a stalled consumer. A commit that fails (a rebalance) is dropped:
 * the next batch of the partition owes it again.
 */
export function commitOffsetsEverySecond(consumer: Consumer, log: Logger, everyMs = 1_000): OffsetCommits {
  const owed = new Map<string, { topic: string; partition: number; offset: string }>();
  let timer: NodeJS.Timeout | undefined;
  let committing: Promise<void> | undefined;
  const commit = async (): Promise<void> => {
    if (owed.size === 0) return;
    const offsets = [...owed.values()];
    owed.clear();
    await consumer
      .commitOffsets(offsets)
      .catch((error: unknown) => log.debug({ err: error }, 'group offsets not committed; the next batch owes them'));
  };
  return {
    async settle(payload, offset) {
      payload.resolveOffset(offset);
      const { topic, partition } = payload.batch;
      owed.set(`${topic}/${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
      timer ??= setInterval(() => {
        committing ??= commit().finally(() => (committing = undefined));
      }, everyMs).unref();
      await payload.heartbeat();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await committing;
      await commit();
    },
  };
}
