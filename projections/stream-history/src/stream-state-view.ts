import type { Decider, DomainCommand, DomainEvent } from '@verity/core';
import { stateAt, type StatePoint, type StreamStateAt } from '@verity/events';
import type { Knex } from 'knex';
import { readStreamHistory, type StreamKey } from './history-view';

/** Events a fold reads at once: what a state read holds in memory, whatever the stream's length. */
const FOLD_PAGE_ROWS = 500;

interface StreamStateRow {
  version: number;
  time: string;
  state: unknown;
}

/** The newest state kept at or before the point, if any. */
async function nearestSnapshot(
  db: Knex | Knex.Transaction,
  schema: string,
  stream: StreamKey,
  point: StatePoint,
): Promise<StreamStateAt | undefined> {
  const query = db
    .withSchema(schema)
    .table('stream_states')
    .select('version', 'time', 'state')
    .where({ tenant: stream.tenant, context: stream.context, stream_id: stream.streamId })
    .orderBy('version', 'desc')
    .first();
  if ('version' in point) void query.andWhere('version', '<=', point.version);
  if ('at' in point) void query.andWhere('at', '<=', point.at);
  const row = (await query) as StreamStateRow | undefined;
  return row && { version: row.version, at: row.time, state: row.state };
}

/**
 * A stream's state at a point (`stateAt`), folded from the nearest state the stream-history
 * projection kept at or before it, one page of events at a time: a read costs at most one
 * snapshot interval of events and holds one page, however long the stream. A stream whose
 * history predates its snapshots folds from version 1, still a page at a time.
 */
export async function readStreamState(
  db: Knex | Knex.Transaction,
  schema: string,
  stream: StreamKey,
  decider: Decider<unknown, DomainCommand, DomainEvent>,
  point: StatePoint,
): Promise<StreamStateAt | undefined> {
  let folded = await nearestSnapshot(db, schema, stream, point);
  for (;;) {
    const fromVersion = (folded?.version ?? 0) + 1;
    const limit = 'version' in point ? Math.min(FOLD_PAGE_ROWS, point.version - fromVersion + 1) : FOLD_PAGE_ROWS;
    if (limit <= 0) break;
    const rows = await readStreamHistory(db, schema, { ...stream, fromVersion, limit });
    // A version point bounds the page itself; an instant stops at the first event after it.
    folded = stateAt(decider, rows, 'at' in point ? point : { latest: true }, folded);
    const last = rows[rows.length - 1];
    if (!last || rows.length < limit || ('at' in point && Date.parse(last.time) > Date.parse(point.at))) break;
  }
  if ('version' in point && folded?.version !== point.version) return undefined;
  return folded;
}
