import type { Knex } from 'knex';

export const CHECKPOINTS_TABLE = 'projection_checkpoints';

/** Where each projection is, per events partition: the next offset to apply. */
export async function ensureCheckpointTable(db: Knex, schema: string): Promise<void> {
  await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  await db.raw(
    `CREATE TABLE IF NOT EXISTS ??.?? (
       projection text NOT NULL,
       topic text NOT NULL,
       partition integer NOT NULL,
       next_offset bigint NOT NULL,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (projection, topic, partition)
     )`,
    [schema, CHECKPOINTS_TABLE],
  );
}

export async function readCheckpoints(
  db: Knex | Knex.Transaction,
  schema: string,
  projection: string,
  topic: string,
): Promise<Map<number, string>> {
  const rows = await db
    .withSchema(schema)
    .table(CHECKPOINTS_TABLE)
    .where({ projection, topic })
    .select<{ partition: number; next_offset: string }[]>('partition', 'next_offset');
  return new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
}

/** A projection's place in one partition of a topic. */
export interface CheckpointKey {
  projection: string;
  topic: string;
  partition: number;
}

/** Several projections' places in one partition of a topic, moved together. */
export interface CheckpointsKey {
  projections: readonly string[];
  topic: string;
  partition: number;
}

/**
 * Where a consumer reading the partitions of `topic` for all of `projections` starts: per
 * partition, the lowest of their checkpoints, and none (so 0) where one of them has none. Each
 * batch then skips, per projection, what that projection's own checkpoint says was applied.
 */
export async function startOffsets(
  db: Knex | Knex.Transaction,
  schema: string,
  projections: readonly string[],
  topic: string,
): Promise<Map<number, string>> {
  const rows = await db
    .withSchema(schema)
    .table(CHECKPOINTS_TABLE)
    .where({ topic })
    .whereIn('projection', [...projections])
    .select<{ partition: number; next_offset: string }[]>('partition', 'next_offset');
  const readers = new Set(projections).size;
  const lowest = new Map<number, { offset: bigint; count: number }>();
  for (const row of rows) {
    const offset = BigInt(row.next_offset);
    const seen = lowest.get(row.partition);
    lowest.set(row.partition, {
      offset: seen && seen.offset < offset ? seen.offset : offset,
      count: (seen?.count ?? 0) + 1,
    });
  }
  const starts = new Map<number, string>();
  for (const [partition, { offset, count }] of lowest) if (count === readers) starts.set(partition, offset.toString());
  return starts;
}

/** The batch is rolled back and retried: its checkpoint was created meanwhile by another batch. */
export class CheckpointRaceError extends Error {
  constructor(checkpoint: CheckpointKey) {
    super(
      `checkpoint of ${checkpoint.projection} ${checkpoint.topic}[${checkpoint.partition}] was created by a concurrent batch`,
    );
    this.name = 'CheckpointRaceError';
  }
}

/** `withCheckpoints` for one projection. */
export function withCheckpoint<T>(
  db: Knex,
  schema: string,
  checkpoint: CheckpointKey,
  nextOffset: string,
  apply: (trx: Knex.Transaction, next: bigint) => Promise<T>,
): Promise<T> {
  const { projection, topic, partition } = checkpoint;
  return withCheckpoints(db, schema, { projections: [projection], topic, partition }, nextOffset, (trx, next) =>
    apply(trx, next.get(projection) ?? 0n),
  );
}

/**
 * ONE transaction: `apply` is handed each projection's checkpoint of the partition (the next
 * offset it has not applied), writes what the records at or past it change, and the
 * checkpoints move to `nextOffset` with those writes. A redelivered batch so applies nothing
 * twice. Read models that read the same topic share it: one commit, so one WAL flush, a batch.
 *
 * The checkpoints are locked, read and moved in one statement before `apply`, a round trip less
 * than a locking read and a write after: the move commits or rolls back with the writes all
 * the same. The insert reads `previous` (the join) so the rows are locked and read before they
 * are changed: read after, a row this statement updated is not seen by `FOR UPDATE`. They never
 * move backwards: a batch redelivered from an older committed offset, all of it applied
 * already, leaves them where they were.
 */
export function withCheckpoints<T>(
  db: Knex,
  schema: string,
  checkpoints: CheckpointsKey,
  nextOffset: string,
  apply: (trx: Knex.Transaction, next: ReadonlyMap<string, bigint>) => Promise<T>,
): Promise<T> {
  const { topic, partition } = checkpoints;
  const projections = [...checkpoints.projections];
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: { projection: string; previous: string | null; updated: boolean }[] }>(
      `WITH previous AS (
         SELECT projection, next_offset FROM ??.??
          WHERE projection = ANY(?::text[]) AND topic = ? AND partition = ? FOR UPDATE)
       INSERT INTO ??.?? AS c (projection, topic, partition, next_offset, updated_at)
       SELECT name, ?, ?, ?::bigint, now() FROM unnest(?::text[]) AS name
         LEFT JOIN previous ON previous.projection = name
       ON CONFLICT (projection, topic, partition) DO UPDATE
         SET next_offset = greatest(c.next_offset, excluded.next_offset), updated_at = excluded.updated_at
       RETURNING c.projection, (SELECT next_offset FROM previous WHERE previous.projection = c.projection) AS previous,
         c.xmax <> 0 AS updated`,
      [
        schema,
        CHECKPOINTS_TABLE,
        projections,
        topic,
        partition,
        schema,
        CHECKPOINTS_TABLE,
        topic,
        partition,
        nextOffset,
        projections,
      ],
    );
    const next = new Map<string, bigint>();
    for (const row of rows) {
      // No row when read, yet one when written: a concurrent batch of the partition created it
      // (two instances during a rebalance). Applying from 0 would apply its events twice.
      if (row.previous === null && row.updated)
        throw new CheckpointRaceError({ projection: row.projection, topic, partition });
      next.set(row.projection, BigInt(row.previous ?? '0'));
    }
    return apply(trx, next);
  });
}
