import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import {
  CHECKPOINTED_RUN,
  commitOffsetsEverySecond,
  aliasResolutionsTopic,
  aliasResolutionsTopicSpec,
  ensureTopics,
  migrateProjection,
  readersOf,
  seekToCheckpointsOnJoin,
  sharedCounter,
  withCheckpoint,
  type Logger,
  type Projector,
} from '@verity/events';
import { ALIAS_RESOLUTIONS_TABLE, aliasResolutionsMigrations } from './migrations';
import { aliasResolutionCodec, type AliasResolution } from './resolution-record';
import { startResolutionPruner } from './retention';

/** The read model's name: its migrations table, its checkpoints and its consumer group's suffix. */
export const ALIAS_RESOLUTIONS = 'alias-resolutions';

export const aliasResolutionsReadModel = { name: ALIAS_RESOLUTIONS, migrations: aliasResolutionsMigrations };

/** Longest pause between two prunes: retention is judged by the hour, not to the second. */
const MAX_PRUNE_EVERY_MS = 3_600_000;

export interface ResolutionsProjectorOptions {
  kafka: Kafka;
  registry: SchemaRegistry;
  db: Knex;
  schema: string;
  topicPrefix: string;
  groupId: string;
  logger: Logger;
  metrics: Registry;
  /** Resolutions older than this are pruned (`VERITY_ALIAS_RESOLUTIONS_RETENTION_DAYS`). */
  retentionMs: number;
  replicationFactor?: number;
}

const rowOf = (r: AliasResolution) => ({
  tenant: r.tenant,
  id: r.id,
  resolved_at: r.at,
  context: r.context,
  alias: r.alias,
  canonical: r.canonical,
  actor: r.actor,
  credential_kind: r.credentialKind,
  instance: r.instance,
  consistency_token: r.consistencyToken,
  count: r.count,
  last_resolved_at: r.lastAt,
});

/**
 * Keeps `alias_resolutions` from the resolutions topic the query-api instances append to: per
 * batch ONE PostgreSQL transaction that inserts the rows and moves the checkpoint, as the event
 * projectors do, so a redelivered batch adds nothing twice (and a record sent twice is one row,
 * by its id). Prunes the rows past the retention as it goes.
 */
export function createResolutionsProjector(options: ResolutionsProjectorOptions): Projector {
  const { kafka, db, schema, groupId } = options;
  const topic = aliasResolutionsTopic(options.topicPrefix);
  const codec = aliasResolutionCodec(options.registry, topic);
  const log = options.logger.child({ component: 'projector', projection: ALIAS_RESOLUTIONS });
  const admin: Admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
  let pruner: { stop(): Promise<void> } | undefined;

  const seek = seekToCheckpointsOnJoin(consumer, {
    db,
    schema,
    readers: readersOf(ALIAS_RESOLUTIONS, [topic]),
    log,
  });
  const commits = commitOffsetsEverySecond(consumer, log);

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const last = batch.messages.at(-1);
    if (!last) return;
    // Decoded before the transaction: a registry round trip holds no row lock.
    const records = await Promise.all(
      batch.messages.map(async (m) => ({ offset: BigInt(m.offset), record: await codec.decode(m.value) })),
    );
    await withCheckpoint(
      db,
      schema,
      { projection: ALIAS_RESOLUTIONS, topic: batch.topic, partition: batch.partition },
      (BigInt(last.offset) + 1n).toString(),
      async (trx, next) => {
        const fresh = records.filter((r) => r.offset >= next).map((r) => rowOf(r.record));
        if (fresh.length === 0) return;
        await trx.withSchema(schema).table(ALIAS_RESOLUTIONS_TABLE).insert(fresh).onConflict(['tenant', 'id']).ignore();
      },
    );
    await commits.settle(payload, last.offset);
  }

  return {
    async start() {
      await migrateProjection(db, schema, aliasResolutionsReadModel);
      await admin.connect();
      await ensureTopics(admin, [aliasResolutionsTopicSpec(topic)], options.replicationFactor);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await seek.prime();
      await consumer.run({ ...CHECKPOINTED_RUN, eachBatch: processBatch });
      pruner = startResolutionPruner({
        db,
        schema,
        retentionMs: options.retentionMs,
        everyMs: Math.min(options.retentionMs, MAX_PRUNE_EVERY_MS),
        pruned: sharedCounter(options.metrics, {
          name: 'verity_alias_resolutions_pruned_total',
          help: 'Alias resolutions removed from the audit log past VERITY_ALIAS_RESOLUTIONS_RETENTION_DAYS',
        }),
        logger: log,
      });
      log.info({ topic }, 'alias resolutions projector started');
    },
    async stop() {
      seek.stop();
      await pruner?.stop();
      await commits.stop();
      await consumer.disconnect();
      await admin.disconnect();
    },
    isReady: seek.isReady,
  };
}
