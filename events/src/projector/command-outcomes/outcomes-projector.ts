import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import { InvalidOptionError } from '@verity/core';
import type { Logger } from '../../logger';
import { sharedCounter } from '../../metrics';
import { ensureTopics, repliesTopicConfig } from '../../topics';
import { migrateProjection } from '../batch';
import {
  CHECKPOINTED_RUN,
  commitOffsetsEverySecond,
  gatheredFetch,
  readersOf,
  seekToCheckpointsOnJoin,
} from '../checkpoint-seek';
import type { Projector } from '../projector';
import { commandOutcomesMigrations } from './migrations';
import { outcomeRecordOf, type OutcomeRecord } from './outcome-records';
import { COMMAND_OUTCOMES, commitOutcomes, purgeExpiredOutcomes } from './outcome-store';

export interface CommandOutcomesProjectorOptions {
  kafka: Kafka;
  db: Knex;
  /** PostgreSQL schema of the table and its checkpoints (the read models'). */
  schema: string;
  /** The replies topic. */
  topic: string;
  groupId: string;
  /** The outcome window (`VERITY_OUTCOME_RETENTION_MS`): older rows are deleted, and the topic keeps no more. */
  retentionMs: number;
  logger: Logger;
  metrics: Registry;
  /** How often expired rows are deleted. Default: a quarter of the window, between 1 s and 1 min. */
  purgeIntervalMs?: number;
  /**
   * How long the broker may hold a fetch of replies to gather up to 1 MiB (`VERITY_OUTCOMES_FETCH_GATHER_MS`).
   * Default 0: a fetch returns with the first reply. No request waits on this table while a
   * gateway holds the reply in memory, so a gather trades that much delay for fewer, fuller
   * transactions.
   */
  fetchGatherMs?: number;
  /** Partitions of the replies topic if it has to create it. Default 3. */
  partitions?: number;
  replicationFactor?: number;
}

/**
 * Builds `command_outcomes`, every command's outcome within the window, from the replies topic:
 * the durable answer to `GET /v1/commands/<id>` and to a repeated Idempotency-Key once no
 * gateway holds it in memory. One consumer group, read_committed (a reply of an aborted
 * transaction is never recorded); per batch, ONE PostgreSQL transaction records the outcomes
 * and moves the checkpoint, as the event projectors do. Rows older than the window are deleted
 * in bounded batches on a timer, so the table holds a window's outcomes, not history.
 */
export function createCommandOutcomesProjector(options: CommandOutcomesProjectorOptions): Projector {
  const { kafka, db, schema, topic, groupId, retentionMs } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new InvalidOptionError('schema', 'a lowercase PostgreSQL identifier');
  if (!(retentionMs > 0)) throw new InvalidOptionError('retentionMs', 'a positive number of milliseconds');
  const purgeIntervalMs = options.purgeIntervalMs ?? Math.min(60_000, Math.max(1_000, Math.floor(retentionMs / 4)));
  const log = options.logger.child({ component: 'projector', projection: COMMAND_OUTCOMES });
  const admin: Admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    ...gatheredFetch(options.fetchGatherMs),
  });
  let stopped = false;
  let purgeTimer: NodeJS.Timeout | undefined;
  let purging: Promise<void> | undefined;

  const recorded = sharedCounter(options.metrics, {
    name: 'verity_command_outcomes_recorded_total',
    help: 'Command outcomes recorded in the outcomes read model',
  });
  const purged = sharedCounter(options.metrics, {
    name: 'verity_command_outcomes_purged_total',
    help: 'Command outcomes deleted from the outcomes read model once older than the window',
  });

  const seek = seekToCheckpointsOnJoin(consumer, {
    db,
    schema,
    readers: readersOf(COMMAND_OUTCOMES, [topic]),
    log,
  });
  const commits = commitOffsetsEverySecond(consumer, log);

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const records: { offset: string; outcome: OutcomeRecord }[] = [];
    let lastOffset: string | undefined;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      lastOffset = message.offset;
      const outcome = outcomeRecordOf(message);
      if (outcome) records.push({ offset: message.offset, outcome });
      else log.warn({ topic, partition: batch.partition, offset: message.offset }, 'not a command reply; skipped');
    }
    if (lastOffset === undefined) return;
    const count = await commitOutcomes(db, schema, {
      topic,
      partition: batch.partition,
      records,
      nextOffset: (BigInt(lastOffset) + 1n).toString(),
    });
    recorded.inc(count);
    await commits.settle(payload, lastOffset);
  }

  function schedulePurge(): void {
    purgeTimer = setTimeout(() => {
      purging = purgeExpiredOutcomes(db, schema, retentionMs)
        .then((count) => {
          purged.inc(count);
          if (count > 0) log.debug({ count }, 'expired outcomes deleted');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'could not delete expired outcomes; trying again later'))
        .finally(() => {
          purging = undefined;
          if (!stopped) schedulePurge();
        });
    }, purgeIntervalMs);
    purgeTimer.unref();
  }

  return {
    async start() {
      stopped = false;
      await migrateProjection(db, schema, { name: COMMAND_OUTCOMES, migrations: commandOutcomesMigrations });
      await admin.connect();
      await ensureTopics(
        admin,
        [repliesTopicConfig(topic, { retentionMs, partitions: options.partitions })],
        options.replicationFactor,
      );
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await seek.prime();
      await consumer.run({ ...CHECKPOINTED_RUN, eachBatch: processBatch });
      schedulePurge();
      log.info({ topic, schema, retentionMs }, 'command outcomes projector started');
    },
    async stop() {
      seek.stop();
      stopped = true;
      clearTimeout(purgeTimer);
      await purging;
      await commits.stop();
      await consumer.disconnect();
      await admin.disconnect();
    },
    isReady: seek.isReady,
  };
}
