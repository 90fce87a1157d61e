import type { Knex } from 'knex';
import { InvalidOptionError, type CommandReply } from '@verity/core';
import { isUndefinedTable } from '../../pg-errors';
import { withCheckpoint } from '../checkpoints';
import { COMMAND_OUTCOMES_TABLE } from './migrations';
import { latestOutcomes, parseCommandReply, type OutcomeRecord } from './outcome-records';

/** The name its checkpoints and migrations are kept under, as a read model's. */
export const COMMAND_OUTCOMES = 'command-outcomes';

/** Rows per INSERT: five parameters each, well below PostgreSQL's 65535. */
const INSERT_CHUNK = 1000;

/** The records of one batch of one partition of the replies topic. */
export interface OutcomeBatch {
  topic: string;
  partition: number;
  /** Each reply with its offset, in offset order. */
  records: readonly { offset: string; outcome: OutcomeRecord }[];
  /** The offset just past the batch's last record. */
  nextOffset: string;
}

/**
 * ONE transaction records the batch's outcomes not recorded yet (at or past the checkpoint, so
 * a redelivered batch records nothing twice) and moves the checkpoint past the batch. Resolves
 * with the number of outcomes recorded.
 */
export async function commitOutcomes(db: Knex, schema: string, batch: OutcomeBatch): Promise<number> {
  const checkpoint = { projection: COMMAND_OUTCOMES, topic: batch.topic, partition: batch.partition };
  return withCheckpoint(db, schema, checkpoint, batch.nextOffset, async (trx, next) => {
    const fresh = latestOutcomes(batch.records.filter((r) => BigInt(r.offset) >= next).map((r) => r.outcome));
    for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
      await trx
        .withSchema(schema)
        .table(COMMAND_OUTCOMES_TABLE)
        .insert(
          fresh.slice(i, i + INSERT_CHUNK).map((o) => ({
            command_id: o.commandId,
            tenant: o.tenant,
            stream_id: o.streamId,
            reply: JSON.stringify(o.reply),
            recorded_at: o.recordedAt,
          })),
        )
        .onConflict('command_id')
        .merge()
        // A repeat's reply is the original: the row keeps the time of the decision.
        .whereRaw('??.reply IS DISTINCT FROM excluded.reply', [COMMAND_OUTCOMES_TABLE]);
    }
    return fresh.length;
  });
}

/**
 * Deletes the outcomes recorded more than `windowMs` ago, `batchSize` rows per statement so no
 * statement holds locks for long; rows another instance is deleting are skipped. Resolves with
 * the number deleted.
 */
export async function purgeExpiredOutcomes(
  db: Knex,
  schema: string,
  windowMs: number,
  batchSize = 1000,
): Promise<number> {
  let purged = 0;
  for (;;) {
    const deleted = await db.raw<{ rowCount: number }>(
      `DELETE FROM ??.?? WHERE command_id IN (
         SELECT command_id FROM ??.?? WHERE recorded_at < now() - (? * interval '1 millisecond')
         LIMIT ? FOR UPDATE SKIP LOCKED)`,
      [schema, COMMAND_OUTCOMES_TABLE, schema, COMMAND_OUTCOMES_TABLE, windowMs, batchSize],
    );
    purged += deleted.rowCount;
    if (deleted.rowCount < batchSize) return purged;
  }
}

/** What `findCommandOutcome` needs of a PostgreSQL client: `pg`'s Pool and Client have it. */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * The outcome of a command recorded within the window, of `tenant`'s streams when given.
 * Undefined when there is none, also while the projector has not created the table: nothing
 * has been recorded then.
 */
export async function findCommandOutcome(
  db: SqlClient,
  schema: string,
  commandId: string,
  options: { windowMs: number; tenant?: string },
): Promise<CommandReply | undefined> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new InvalidOptionError('schema', 'a lowercase PostgreSQL identifier');
  const tenantClause = options.tenant === undefined ? '' : ' AND tenant = $3';
  const values = [commandId, options.windowMs, ...(options.tenant === undefined ? [] : [options.tenant])];
  try {
    const { rows } = await db.query(
      `SELECT reply FROM "${schema}".${COMMAND_OUTCOMES_TABLE}
        WHERE command_id = $1 AND recorded_at >= now() - ($2::double precision * interval '1 millisecond')${tenantClause}`,
      values,
    );
    return rows[0] && parseCommandReply(rows[0].reply);
  } catch (error) {
    if (isUndefinedTable(error)) return undefined;
    throw error;
  }
}
