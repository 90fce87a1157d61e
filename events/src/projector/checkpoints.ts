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
