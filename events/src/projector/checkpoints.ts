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

/** The batch is rolled back and retried: its checkpoint was created meanwhile by another batch. */
export class CheckpointRaceError extends Error {
  constructor(checkpoint: CheckpointKey) {
    super(
      `checkpoint of ${checkpoint.projection} ${checkpoint.topic}[${checkpoint.partition}] was created by a concurrent batch`,
    );
    this.name = 'CheckpointRaceError';
  }
}

/**
 * ONE transaction: `apply` is handed the partition's checkpoint (the next offset not applied),
 * writes what the records at or past it change, and the checkpoint moves to `nextOffset` with
 * those writes. A redelivered batch so applies nothing twice.
 *
 * The checkpoint is locked, read and moved in one statement before `apply`, a round trip less
 * than a locking read and a write after: the move commits or rolls back with the writes all
 * the same. The insert reads `previous` (the join) so the row is locked and read before it is
 * changed: read after, a row this statement updated is not seen by `FOR UPDATE`. It never moves backwards: a batch redelivered from an older committed offset, all
 * of it applied already, leaves the checkpoint where it was.
 */
export function withCheckpoint<T>(
  db: Knex,
  schema: string,
  checkpoint: CheckpointKey,
  nextOffset: string,
  apply: (trx: Knex.Transaction, next: bigint) => Promise<T>,
): Promise<T> {
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: { previous: string | null; updated: boolean }[] }>(
      `WITH previous AS (
         SELECT next_offset FROM ??.?? WHERE projection = ? AND topic = ? AND partition = ? FOR UPDATE)
       INSERT INTO ??.?? AS c (projection, topic, partition, next_offset, updated_at)
       SELECT ?, ?, ?, ?::bigint, now() FROM (VALUES (1)) AS one LEFT JOIN previous ON true
       ON CONFLICT (projection, topic, partition) DO UPDATE
         SET next_offset = greatest(c.next_offset, excluded.next_offset), updated_at = excluded.updated_at
       RETURNING (SELECT next_offset FROM previous) AS previous, c.xmax <> 0 AS updated`,
      [
        schema,
        CHECKPOINTS_TABLE,
        checkpoint.projection,
        checkpoint.topic,
        checkpoint.partition,
        schema,
        CHECKPOINTS_TABLE,
        checkpoint.projection,
        checkpoint.topic,
        checkpoint.partition,
        nextOffset,
      ],
    );
    const row = rows[0];
    // No row when read, yet one when written: a concurrent batch of the partition created it
    // (two instances during a rebalance). Applying from 0 would apply its events twice.
    if (row?.previous === null && row.updated) throw new CheckpointRaceError(checkpoint);
    return apply(trx, BigInt(row?.previous ?? '0'));
  });
}
