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

/** Where a partition's checkpoints move: past the batch that ends before `nextOffset`. */
export interface CheckpointMove {
  partition: number;
  nextOffset: string;
}

/** Several projections' places in partitions of one topic, each moved to its `nextOffset` together. */
export interface CheckpointMoves {
  projections: readonly string[];
  topic: string;
  moves: readonly CheckpointMove[];
}

/** Where each projection was in each partition a transaction moved: the next offset it had not applied. */
export type CheckpointsBefore = (projection: string, partition: number) => bigint;

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

/** `withCheckpoints` for one projection and one partition. */
export function withCheckpoint<T>(
  db: Knex,
  schema: string,
  checkpoint: CheckpointKey,
  nextOffset: string,
  apply: (trx: Knex.Transaction, next: bigint) => Promise<T>,
): Promise<T> {
  const { projection, topic, partition } = checkpoint;
  return withCheckpoints(
    db,
    schema,
    { projections: [projection], topic, moves: [{ partition, nextOffset }] },
    (trx, next) => apply(trx, next(projection, partition)),
  );
}

/**
 * ONE transaction: `apply` is handed each projection's checkpoint of each partition (the next
 * offset it has not applied), writes what the records at or past it change, and the
 * checkpoints move to their partition's `nextOffset` with those writes. A redelivered batch so
 * applies nothing twice. Read models that read the same topic share it, and so do batches of
 * several of its partitions: one commit, so one WAL flush, for all of them.
 *
 * The checkpoints are locked, read and moved in one statement before `apply`, a round trip less
 * than a locking read and a write after: the move commits or rolls back with the writes all
 * the same. The insert reads `previous` (the join) so the rows are locked and read before they
 * are changed: read after, a row this statement updated is not seen by `FOR UPDATE`. Rows are
 * locked in key order, so two instances moving the same partitions during a rebalance wait for
 * each other rather than deadlock. They never move backwards: a batch redelivered from an older
 * committed offset, all of it applied already, leaves them where they were.
 */
export function withCheckpoints<T>(
  db: Knex,
  schema: string,
  checkpoints: CheckpointMoves,
  apply: (trx: Knex.Transaction, next: CheckpointsBefore) => Promise<T>,
): Promise<T> {
  const { topic } = checkpoints;
  const projections = [...new Set(checkpoints.projections)].sort();
  const moves = farthestMoves(checkpoints.moves);
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{
      rows: { projection: string; partition: number; previous: string | null; updated: boolean }[];
    }>(
      `WITH previous AS (
         SELECT projection, partition, next_offset FROM ??.??
          WHERE projection = ANY(?::text[]) AND topic = ? AND partition = ANY(?::int[])
          ORDER BY projection, partition FOR UPDATE),
       moves AS (SELECT * FROM unnest(?::int[], ?::bigint[]) AS m(partition, next_offset))
       INSERT INTO ??.?? AS c (projection, topic, partition, next_offset, updated_at)
       SELECT name, ?, moves.partition, moves.next_offset, now()
         FROM unnest(?::text[]) AS name CROSS JOIN moves
         LEFT JOIN previous ON previous.projection = name AND previous.partition = moves.partition
        ORDER BY name, moves.partition
       ON CONFLICT (projection, topic, partition) DO UPDATE
         SET next_offset = greatest(c.next_offset, excluded.next_offset), updated_at = excluded.updated_at
       RETURNING c.projection, c.partition,
         (SELECT next_offset FROM previous WHERE previous.projection = c.projection AND previous.partition = c.partition)
           AS previous,
         c.xmax <> 0 AS updated`,
      [
        schema,
        CHECKPOINTS_TABLE,
        projections,
        topic,
        moves.map((m) => m.partition),
        moves.map((m) => m.partition),
        moves.map((m) => m.nextOffset),
        schema,
        CHECKPOINTS_TABLE,
        topic,
        projections,
      ],
    );
    const before = new Map<string, bigint>();
    for (const row of rows) {
      // No row when read, yet one when written: a concurrent batch of the partition created it
      // (two instances during a rebalance). Applying from 0 would apply its events twice.
      if (row.previous === null && row.updated)
        throw new CheckpointRaceError({ projection: row.projection, topic, partition: row.partition });
      before.set(`${row.projection}/${row.partition}`, BigInt(row.previous ?? '0'));
    }
    return apply(trx, (projection, partition) => before.get(`${projection}/${partition}`) ?? 0n);
  });
}

/** One move per partition, the farthest, in partition order (a statement may change a row once). */
export function farthestMoves(moves: readonly CheckpointMove[]): CheckpointMove[] {
  const farthest = new Map<number, bigint>();
  for (const { partition, nextOffset } of moves) {
    const offset = BigInt(nextOffset);
    const seen = farthest.get(partition);
    if (seen === undefined || offset > seen) farthest.set(partition, offset);
  }
  return [...farthest]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => ({ partition, nextOffset: offset.toString() }));
}
