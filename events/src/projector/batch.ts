import type { Knex } from 'knex';
import {
  CHECKPOINTS_TABLE,
  ensureCheckpointTable,
  farthestMoves,
  withCheckpoints,
  type CheckpointMoves,
} from './checkpoints';
import type { EventEnvelope, ProjectionOf } from './projection';

/**
 * Creates the checkpoint table and brings the projection's tables to its newest migration, one
 * process at a time per schema: replicas starting together raced to create the same tables, and
 * the loser exited (42P07). The lock is held by a transaction of its own while the migrations run
 * on other connections, so `db`'s pool needs two.
 */
export async function migrateProjection(
  db: Knex,
  schema: string,
  projection: { name: string; migrations(schema: string): Knex.MigrationSource<unknown> },
): Promise<void> {
  await db.transaction(async (lock) => {
    await lock.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`verity.migrate.${schema}`]);
    await ensureCheckpointTable(db, schema);
    await db.migrate.latest({
      migrationSource: projection.migrations(schema),
      schemaName: schema,
      tableName: `knex_migrations_${projection.name.replace(/-/g, '_')}`,
    });
  });
}

/** Whether a full name is one of the events the projection applies (the others are not decoded). */
export function handledBy<Event extends EventEnvelope, Change>(
  projection: ProjectionOf<Event, Change>,
): (type: string) => type is Event['type'] {
  const handled = new Set<string>(projection.events);
  return (type): type is Event['type'] => handled.has(type);
}

/** The records of one batch of one partition of an events topic, as the projection is handed them. */
export interface EventBatch<Event> {
  topic: string;
  partition: number;
  /** The batch's events the projection applies, in offset order. */
  events: Event[];
  /** The offset just past the batch's last record, applied or not. */
  nextOffset: string;
}

export interface CommittedBatch<Change> {
  /** Events applied: those at or past the checkpoint. */
  applied: number;
  /** What `apply` returned for them, for `publish`. */
  changes: Change[];
}

/** What one projection of a group applies of a batch. */
export interface ProjectionPart<Event extends EventEnvelope, Change> {
  projection: ProjectionOf<Event, Change>;
  /** The batch's events it applies, in offset order. */
  events: readonly Event[];
}

/** `commitGroupBatch` for one projection. */
export async function commitBatch<Event extends EventEnvelope, Change>(
  db: Knex,
  schema: string,
  projection: ProjectionOf<Event, Change>,
  batch: EventBatch<Event>,
  options: { publishes?: boolean } = {},
): Promise<CommittedBatch<Change> | undefined> {
  const { topic, partition, nextOffset, events } = batch;
  const committed = await commitGroupBatch(
    db,
    schema,
    [{ projection, events }],
    { topic, moves: [{ partition, nextOffset }] },
    options,
  );
  return committed?.[0];
}

/** Where the batches of one commit end: per partition of the topic, the offset past its batch. */
export type BatchEnds = Omit<CheckpointMoves, 'projections'>;

/**
 * Commits batches of partitions of one topic for the projections that read it. With events to
 * apply, ONE transaction applies, per projection, those it has not applied yet (at or past its
 * checkpoint of their partition, so a redelivered batch applies nothing twice) and moves every
 * checkpoint past its partition's batch. With none, one statement moves the checkpoints, never
 * backwards, and the answer is undefined: there is nothing to publish. Otherwise the answer
 * holds each part's commit, in order. A part's events may come from several partitions, each
 * partition's in offset order. `publishes: false` (a rebuild's generation, read by nobody yet)
 * tells the projections their changes will not be published.
 */
export async function commitGroupBatch<Event extends EventEnvelope, Change>(
  db: Knex,
  schema: string,
  parts: readonly ProjectionPart<Event, Change>[],
  ends: BatchEnds,
  { publishes = true }: { publishes?: boolean } = {},
): Promise<CommittedBatch<Change>[] | undefined> {
  const { topic } = ends;
  const projections = parts.map((part) => part.projection.name);
  if (parts.every((part) => part.events.length === 0)) {
    await db
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .insert(
        projections.flatMap((projection) =>
          farthestMoves(ends.moves).map(({ partition, nextOffset }) => ({
            projection,
            topic,
            partition,
            next_offset: nextOffset,
            updated_at: db.fn.now(),
          })),
        ),
      )
      .onConflict(['projection', 'topic', 'partition'])
      .merge()
      .where(`${CHECKPOINTS_TABLE}.next_offset`, '<', db.ref('excluded.next_offset'));
    return undefined;
  }
  return withCheckpoints(db, schema, { projections, topic, moves: ends.moves }, async (trx, before) => {
    const committed: CommittedBatch<Change>[] = [];
    for (const { projection, events } of parts) {
      const fresh = events.filter((e) => BigInt(e.offset) >= before(projection.name, e.partition));
      const store = { schema, db: trx, publishes };
      if (projection.applyBatch) {
        committed.push({
          applied: fresh.length,
          changes: fresh.length > 0 ? await projection.applyBatch(store, fresh) : [],
        });
        continue;
      }
      const changes: Change[] = [];
      for (const event of fresh) changes.push(...(await projection.apply(store, event)));
      committed.push({ applied: fresh.length, changes });
    }
    return committed;
  });
}
