import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { startOffsets } from './checkpoints';

/** Whether the consumer has started where its checkpoints say, since it last joined or crashed. */
export interface CheckpointSeek {
  isReady: () => boolean;
  /** Stopping: not ready from now on. */
  stop: () => void;
}

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
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    void (async () => {
      for (const [topic, projections] of readers) {
        const partitions = payload.memberAssignment[topic] ?? [];
        if (partitions.length === 0) continue;
        const checkpoints = await startOffsets(db, schema, projections, topic);
        for (const partition of partitions)
          consumer.seek({ topic, partition, offset: checkpoints.get(partition) ?? '0' });
      }
      ready = true;
    })().catch((error: unknown) =>
      log.error({ err: error }, 'could not read checkpoints after joining; batches still skip what was applied'),
    );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    ready = false;
    log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
  });
  return {
    isReady: () => ready,
    stop: () => {
      ready = false;
    },
  };
}

/** `readers` of a consumer that reads `topics` for one checkpoint. */
export const readersOf = (checkpointName: string, topics: readonly string[]): ReadonlyMap<string, readonly string[]> =>
  new Map(topics.map((topic) => [topic, [checkpointName]]));

/**
 * `consumer.run` options of a consumer started by `seekToCheckpointsOnJoin`. Its committed offset
 * only shows the group's lag to tools, so it is committed at most once a second (by
 * `settleOffset`) rather than after every batch as kafkajs' auto-commit does: at a few hundred
 * batches a second that was a broker request per batch for nothing.
 */
export const CHECKPOINTED_RUN = {
  autoCommit: false,
  autoCommitInterval: 1_000,
  eachBatchAutoResolve: false,
} as const satisfies ConsumerRunConfig;

/** After a batch's checkpoint committed: resolves through `offset`, commits it if a second has passed, heartbeats. */
export async function settleOffset(payload: EachBatchPayload, offset: string): Promise<void> {
  payload.resolveOffset(offset);
  await payload.commitOffsetsIfNecessary();
  await payload.heartbeat();
}
