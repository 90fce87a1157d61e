import type { Knex } from 'knex';

export const CONFLICT_STATUSES = ['open', 'resolved'] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];

/** One side of a conflict: a value (parsed from the event's JSON) and the source that sent it. */
export interface ConflictSide {
  value: unknown;
  /** null when the stream's value predates source tracking. */
  sourceSystem: string | null;
  sourceTimestamp: string | null;
}

/** A change a source sent that was not applied, as the query API returns it. */
export interface SourceConflictView {
  tenant: string;
  conflictId: string;
  /** `catalog` or `inventory`: where the conflict lives and is resolved. */
  context: string;
  sku: string;
  location: string | null;
  field: string;
  rule: 'not_owner' | 'older_than_applied';
  owners: string[];
  current: ConflictSide;
  incoming: ConflictSide;
  status: ConflictStatus;
  accepted: 'current' | 'incoming' | null;
  detectedAt: string;
  resolvedAt: string | null;
  /** Version of the stream event that last changed the conflict. */
  version: number;
}

export interface AuthorityRuleView {
  field: string;
  owners: string[];
  /** Version of `<tenant>/authority` that set the rule. */
  version: number;
  updatedAt: string;
}

interface ConflictRow {
  tenant: string;
  conflict_id: string;
  context: string;
  sku: string;
  location: string | null;
  field: string;
  rule: SourceConflictView['rule'];
  owners: string[];
  current_value: unknown;
  current_source_system: string | null;
  current_source_timestamp: Date | null;
  incoming_value: unknown;
  incoming_source_system: string;
  incoming_source_timestamp: Date;
  status: ConflictStatus;
  accepted: SourceConflictView['accepted'];
  detected_at: Date;
  resolved_at: Date | null;
  version: number;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

const toView = (row: ConflictRow): SourceConflictView => ({
  tenant: row.tenant,
  conflictId: row.conflict_id,
  context: row.context,
  sku: row.sku,
  location: row.location,
  field: row.field,
  rule: row.rule,
  owners: row.owners,
  current: {
    value: row.current_value,
    sourceSystem: row.current_source_system,
    sourceTimestamp: iso(row.current_source_timestamp),
  },
  incoming: {
    value: row.incoming_value,
    sourceSystem: row.incoming_source_system,
    sourceTimestamp: iso(row.incoming_source_timestamp),
  },
  status: row.status,
  accepted: row.accepted,
  detectedAt: new Date(row.detected_at).toISOString(),
  resolvedAt: iso(row.resolved_at),
  version: row.version,
});

/** One conflict of one tenant; undefined when the tenant has none with that id. */
export async function readConflict(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  conflictId: string,
): Promise<SourceConflictView | undefined> {
  return (await readConflicts(db, schema, tenant, [conflictId])).get(conflictId);
}

/** Conflicts of one tenant by id in one query, whatever the number of ids; ids the tenant has no conflict with are absent. */
export async function readConflicts(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  conflictIds: readonly string[],
): Promise<Map<string, SourceConflictView>> {
  const wanted = [...new Set(conflictIds)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .withSchema(schema)
    .table('source_conflicts')
    .where({ tenant })
    .whereIn('conflict_id', wanted)
    .select<ConflictRow[]>('*');
  return new Map(rows.map((row) => [row.conflict_id, toView(row)]));
}

/** A page's position: the [detectedAt, conflictId] of the last conflict it returned. */
export type ConflictCursor = [string, string];

export const encodeConflictCursor = (key: ConflictCursor): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** The key a cursor holds, or undefined when encodeConflictCursor did not write it. */
export function decodeConflictCursor(cursor: string): ConflictCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'string')
      return undefined;
    const [detectedAt, conflictId] = key as [string, string];
    if (Number.isNaN(Date.parse(detectedAt)) || encodeConflictCursor([detectedAt, conflictId]) !== cursor)
      return undefined;
    return [detectedAt, conflictId];
  } catch {
    return undefined;
  }
}

export interface ConflictPageQuery {
  limit: number;
  after?: ConflictCursor;
  status?: ConflictStatus;
  context?: string;
  sku?: string;
  field?: string;
}

/** A tenant's conflicts, oldest first (by detection time, then id), filtered; `nextCursor` is null on the last page. */
export async function listConflicts(
  db: Knex,
  schema: string,
  tenant: string,
  query: ConflictPageQuery,
): Promise<{ items: SourceConflictView[]; nextCursor: string | null }> {
  const q = db.withSchema(schema).table('source_conflicts').where({ tenant });
  if (query.status) q.andWhere({ status: query.status });
  if (query.context) q.andWhere({ context: query.context });
  if (query.sku) q.andWhere({ sku: query.sku });
  if (query.field) q.andWhere({ field: query.field });
  if (query.after) q.andWhereRaw('(detected_at, conflict_id) > (?::timestamptz, ?)', query.after);
  const rows = await q
    .orderBy([{ column: 'detected_at' }, { column: 'conflict_id' }])
    .limit(query.limit + 1)
    .select<ConflictRow[]>('*');
  const items = rows.slice(0, query.limit).map(toView);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeConflictCursor([last.detectedAt, last.conflictId]) : null,
  };
}

/** A tenant's authority rules by field; fields without a rule are absent. */
export async function listAuthorityRules(db: Knex, schema: string, tenant: string): Promise<AuthorityRuleView[]> {
  const rows = await db
    .withSchema(schema)
    .table('authority_rules')
    .where({ tenant })
    .orderBy('field')
    .select<{ field: string; owners: string[]; version: number; updated_at: Date }[]>(
      'field',
      'owners',
      'version',
      'updated_at',
    );
  return rows.map((r) => ({
    field: r.field,
    owners: r.owners,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}
