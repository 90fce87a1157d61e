import type { Consumer } from 'kafkajs';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { readCheckpoints } from './checkpoints';

/** Whether the consumer has started where its checkpoints say, since it last joined or crashed. */
export interface CheckpointSeek {
  isReady: () => boolean;
  /** Stopping: not ready from now on. */
  stop: () => void;
}

/**
 * Starts a consumer where PostgreSQL's checkpoints of `checkpointName` say, not where Kafka's
 * committed offsets do, each time the group hands it partitions: the checkpoint moves in the
 * transaction that applies a batch, the committed offset after it. A partition without a
 * checkpoint starts at 0 (one past the topic's retention starts at the earliest record kept).
 * Until the seek is done the consumer is not ready; batches handed before it still skip what
 * their checkpoint says was applied.
 */
export function seekToCheckpointsOnJoin(
  consumer: Consumer,
  options: { db: Knex; schema: string; checkpointName: string; topics: readonly string[]; log: Logger },
): CheckpointSeek {
  const { db, schema, checkpointName, topics, log } = options;
  let ready = false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    void (async () => {
      for (const topic of topics) {
        const partitions = payload.memberAssignment[topic] ?? [];
        if (partitions.length === 0) continue;
        const checkpoints = await readCheckpoints(db, schema, checkpointName, topic);
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
