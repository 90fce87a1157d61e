import type { Knex } from 'knex';

/** One alias of one tenant as the read side sees it. */
export interface AliasView {
  tenant: string;
  context: string;
  alias: string;
  canonical: string;
  description: string | null;
  owner: string;
  expiresAt: string | null;
  /** `expired` when active but expiresAt <= the reader's now. */
  status: 'active' | 'inactive' | 'expired';
  version: number;
  updatedAt: string;
}

export interface ConflictView {
  conflictId: string;
  context: string;
  alias: string;
  canonical: string;
  owner: string;
  existingAlias: string | null;
  existingOwner: string | null;
  kind: string;
  status: 'open' | 'accepted' | 'rejected';
  detectedAt: string;
  resolvedAt: string | null;
}

interface AliasRow {
  tenant: string;
  context: string;
  alias: string;
  canonical: string;
  description: string | null;
  owner: string;
  expires_at: Date | null;
  status: 'active' | 'inactive';
  version: number;
  updated_at: Date;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

/** Expiry is a read-time judgement: an alias whose expiresAt is <= now no longer resolves. */
export const isExpired = (expiresAt: string | null, now: Date): boolean =>
  expiresAt !== null && Date.parse(expiresAt) <= now.getTime();

function toView(row: AliasRow, now: Date): AliasView {
  const expiresAt = iso(row.expires_at);
  return {
    tenant: row.tenant,
    context: row.context,
    alias: row.alias,
    canonical: row.canonical,
    description: row.description,
    owner: row.owner,
    expiresAt,
    status: row.status === 'active' && isExpired(expiresAt, now) ? 'expired' : row.status,
    version: row.version,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function readAlias(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  context: string,
  alias: string,
  now: Date,
): Promise<AliasView | undefined> {
  const [view] = await readAliases(db, schema, tenant, [{ context, alias }], now);
  return view;
}

/** Aliases of one tenant named by (context, alias) in one query, whatever their number; names without an alias are absent. */
export async function readAliases(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
  names: readonly { context: string; alias: string }[],
  now: Date,
): Promise<AliasView[]> {
  if (names.length === 0) return [];
  const rows = await db
    .withSchema(schema)
    .table('aliases')
    .where({ tenant })
    .whereIn(
      ['context', 'alias'],
      names.map((n) => [n.context, n.alias]),
    )
    .select<AliasRow[]>('*');
  return rows.map((row) => toView(row, now));
}

/** A page of a tenant's aliases ordered by (context, alias), after the cursor's key. */
export async function listAliases(
  db: Knex,
  schema: string,
  tenant: string,
  options: { context?: string; limit: number; after?: [string, string] },
  now: Date,
): Promise<{ items: AliasView[]; next?: [string, string] }> {
  let query = db.withSchema(schema).table('aliases').where({ tenant });
  if (options.context) query = query.andWhere({ context: options.context });
  if (options.after) query = query.andWhereRaw('(context, alias) > (?, ?)', options.after);
  const rows = await query
    .orderBy([{ column: 'context' }, { column: 'alias' }])
    .limit(options.limit + 1)
    .select<AliasRow[]>('*');
  const items = rows.slice(0, options.limit).map((r) => toView(r, now));
  const last = items[items.length - 1];
  return rows.length > options.limit && last ? { items, next: [last.context, last.alias] } : { items };
}

export async function listConflicts(
  db: Knex,
  schema: string,
  tenant: string,
  status: string | undefined,
  limit: number,
): Promise<ConflictView[]> {
  let query = db.withSchema(schema).table('alias_conflicts').where({ tenant });
  if (status) query = query.andWhere({ status });
  const rows = await query
    .orderBy([{ column: 'detected_at' }, { column: 'conflict_id' }])
    .limit(limit)
    .select<Record<string, unknown>[]>('*');
  return rows.map((r) => ({
    conflictId: r.conflict_id as string,
    context: r.context as string,
    alias: r.alias as string,
    canonical: r.canonical as string,
    owner: r.owner as string,
    existingAlias: (r.existing_alias as string | null) ?? null,
    existingOwner: (r.existing_owner as string | null) ?? null,
    kind: r.kind as string,
    status: r.status as ConflictView['status'],
    detectedAt: new Date(r.detected_at as Date).toISOString(),
    resolvedAt: iso((r.resolved_at as Date | null) ?? null),
  }));
}

/** Counts for one tenant: every alias ever registered, and those resolving at `now`. */
export async function countAliases(
  db: Knex,
  schema: string,
  tenant: string,
  now: Date,
): Promise<{ total: number; active: number }> {
  const [row] = await db
    .withSchema(schema)
    .table('aliases')
    .where({ tenant })
    .select<{ total: string; active: string }[]>(
      db.raw('count(*) as total'),
      db.raw("count(*) filter (where status = 'active' and (expires_at is null or expires_at > ?)) as active", [now]),
    );
  return { total: Number(row?.total ?? 0), active: Number(row?.active ?? 0) };
}
