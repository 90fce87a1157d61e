import type { Knex } from 'knex';
import { ALIAS_RESOLUTIONS_TABLE } from './migrations';

/** Identical resolutions as the audit shows them (one row per query-api flush window). */
export interface ResolutionRow {
  id: string;
  /** ISO 8601 with milliseconds, UTC: the first of them. */
  resolvedAt: string;
  /** The last of them (`resolvedAt` when there was one). */
  lastResolvedAt: string;
  /** How many identical answers the row stands for. */
  count: number;
  context: string;
  alias: string;
  /** `resolved` (200 with `canonical`) or `not_found` (404). */
  outcome: 'resolved' | 'not_found';
  canonical: string | null;
  actor: string;
  credentialKind: string;
  instance: string;
  consistencyToken: boolean;
}

/** Where a page ends: the last row's time and id (rows are ordered by both). */
export type ResolutionKey = [resolvedAt: string, id: string];

export interface ResolutionQuery {
  tenant: string;
  alias?: string;
  context?: string;
  /** ISO 8601: resolutions at or after it. */
  from?: string;
  /** ISO 8601: resolutions before it. */
  to?: string;
  /** Rows after this key. */
  after?: ResolutionKey;
  limit: number;
}

interface Row {
  id: string;
  resolved_at: Date;
  context: string;
  alias: string;
  canonical: string | null;
  actor: string;
  credential_kind: string;
  instance: string;
  consistency_token: boolean;
  count: number;
  last_resolved_at: Date | null;
}

const toResolution = (row: Row): ResolutionRow => ({
  id: row.id,
  resolvedAt: row.resolved_at.toISOString(),
  lastResolvedAt: (row.last_resolved_at ?? row.resolved_at).toISOString(),
  count: row.count,
  context: row.context,
  alias: row.alias,
  outcome: row.canonical === null ? 'not_found' : 'resolved',
  canonical: row.canonical,
  actor: row.actor,
  credentialKind: row.credential_kind,
  instance: row.instance,
  consistencyToken: row.consistency_token,
});

/**
 * A tenant's resolutions oldest first, a page at a time (keyset on time and id, so a page costs
 * its own rows however long the log). `next` is the key to pass as `after` for the following
 * page, absent on the last.
 */
export async function listResolutions(
  db: Knex | Knex.Transaction,
  schema: string,
  query: ResolutionQuery,
): Promise<{ items: ResolutionRow[]; next?: ResolutionKey }> {
  const rows = db
    .withSchema(schema)
    .table(ALIAS_RESOLUTIONS_TABLE)
    .select<Row[]>(
      'id',
      'resolved_at',
      'context',
      'alias',
      'canonical',
      'actor',
      'credential_kind',
      'instance',
      'consistency_token',
      'count',
      'last_resolved_at',
    )
    .where({ tenant: query.tenant })
    .orderBy([
      { column: 'resolved_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    // One more than the page says whether another follows.
    .limit(query.limit + 1);
  if (query.alias !== undefined) void rows.andWhere({ alias: query.alias });
  if (query.context !== undefined) void rows.andWhere({ context: query.context });
  if (query.from !== undefined) void rows.andWhere('resolved_at', '>=', query.from);
  if (query.to !== undefined) void rows.andWhere('resolved_at', '<', query.to);
  if (query.after !== undefined) void rows.andWhereRaw('(resolved_at, id) > (?::timestamptz, ?)', query.after);
  const found = (await rows).map(toResolution);
  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  return found.length > query.limit && last ? { items, next: [last.resolvedAt, last.id] } : { items };
}
