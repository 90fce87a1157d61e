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

/**
 * ONE transaction: `apply` is handed the partition's checkpoint (the next offset not applied,
 * its row locked), writes what the records at or past it change, and the checkpoint moves to
 * `nextOffset` with those writes. A redelivered batch so applies nothing twice.
 */
export function withCheckpoint<T>(
  db: Knex,
  schema: string,
  checkpoint: CheckpointKey,
  nextOffset: string,
  apply: (trx: Knex.Transaction, next: bigint) => Promise<T>,
): Promise<T> {
  return db.transaction(async (trx) => {
    const row = await trx
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .where(checkpoint)
      .forUpdate()
      .first<{ next_offset: string } | undefined>('next_offset');
    const result = await apply(trx, BigInt(row?.next_offset ?? '0'));
    await trx
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .insert({ ...checkpoint, next_offset: nextOffset, updated_at: trx.fn.now() })
      .onConflict(['projection', 'topic', 'partition'])
      .merge();
    return result;
  });
}
