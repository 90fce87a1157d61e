import type { Knex } from 'knex';
import type { HistoryRow } from '@verity/events';

/** One stream of one context. */
export interface StreamKey {
  tenant: string;
  context: string;
  /** `<tenant>/<aggregate id>`. */
  streamId: string;
}

/** Which events of one stream: from a version on, at most `limit` of them (all when absent). */
export interface StreamHistoryQuery extends StreamKey {
  fromVersion?: number;
  limit?: number;
}

interface StreamEventRow {
  version: number;
  offset: string;
  time: string;
  type: string;
  actor: string;
  on_behalf_of: string | null;
  source_system: string;
  source_timestamp: string;
  correlation_id: string;
  causation_id: string;
  payload: Record<string, unknown>;
  hash: string;
  prev_hash: string;
}

const COLUMNS = [
  'version',
  'offset',
  'time',
  'type',
  'actor',
  'on_behalf_of',
  'source_system',
  'source_timestamp',
  'correlation_id',
  'causation_id',
  'payload',
  'hash',
  'prev_hash',
];

const toHistoryRow = (row: StreamEventRow): HistoryRow => ({
  version: row.version,
  offset: row.offset,
  time: row.time,
  type: row.type,
  actor: row.actor,
  ...(row.on_behalf_of === null ? {} : { onBehalfOf: row.on_behalf_of }),
  sourceSystem: row.source_system,
  sourceTimestamp: row.source_timestamp,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  payload: row.payload,
  hash: row.hash,
  prevHash: row.prev_hash,
});

/** A stream's events in version order, one range of the primary key: its cost is the page, not the log. */
export async function readStreamHistory(
  db: Knex | Knex.Transaction,
  schema: string,
  query: StreamHistoryQuery,
): Promise<HistoryRow[]> {
  const rows = db
    .withSchema(schema)
    .table('stream_events')
    .select(COLUMNS)
    .where({ tenant: query.tenant, context: query.context, stream_id: query.streamId })
    .andWhere('version', '>=', query.fromVersion ?? 1)
    .orderBy('version');
  const found = (await (query.limit === undefined ? rows : rows.limit(query.limit))) as StreamEventRow[];
  return found.map(toHistoryRow);
}

/** A stream's first event's time and last version; undefined for a stream without events. */
export async function readStreamEnds(
  db: Knex | Knex.Transaction,
  schema: string,
  stream: StreamKey,
): Promise<{ firstTime: string; lastVersion: number } | undefined> {
  const events = () =>
    db
      .withSchema(schema)
      .table('stream_events')
      .where({ tenant: stream.tenant, context: stream.context, stream_id: stream.streamId });
  const first = (await events().select('time').orderBy('version').first()) as { time: string } | undefined;
  if (!first) return undefined;
  const last = (await events().select('version').orderBy('version', 'desc').first()) as { version: number };
  return { firstTime: first.time, lastVersion: last.version };
}
