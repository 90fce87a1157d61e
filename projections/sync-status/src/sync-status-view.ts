import type { Knex } from 'knex';
import { compareCodeUnits } from '@verity/core';
import { COMMAND_OUTCOMES_TABLE } from '@verity/events';
import { SYNC_DEAD_LETTERS_TABLE, SYNC_SOURCES_TABLE } from './migrations';

/** How one source system of a tenant is doing. */
export interface SourceSyncStatus {
  source: string;
  /** Events appended from this source's changes. */
  applied: number;
  /** Changes of this source that lost to an authority rule (open or resolved conflicts). */
  conflicted: number;
  /** Changes the processor refused (a domain rule, a version), within the outcome window. */
  rejected: number;
  /** Changes an ingestor could not turn into a command; `deadLetteredPending` are not replayed yet. */
  deadLettered: number;
  deadLetteredPending: number;
  /** Source time of the newest change applied, and when Verity appended it. */
  lastChangeAt: string | null;
  lastAppliedAt: string | null;
  /** How far behind the source Verity was on that newest change (appended - source time). */
  lagMs: number | null;
}

interface Counts {
  applied: number;
  conflicted: number;
  rejected: number;
  deadLettered: number;
  deadLetteredPending: number;
  lastChangeAt: Date | null;
  lastAppliedAt: Date | null;
}

const empty = (): Counts => ({
  applied: 0,
  conflicted: 0,
  rejected: 0,
  deadLettered: 0,
  deadLetteredPending: 0,
  lastChangeAt: null,
  lastAppliedAt: null,
});

/**
 * Every source of a tenant that has sent anything: applied and conflicted from the sync-status
 * read model, rejected from the command outcomes, dead letters from the ingestors' topics. Runs
 * in the caller's transaction, so the query-api's tenant setting (row-level security) applies.
 */
export async function readSyncStatus(
  db: Knex | Knex.Transaction,
  schema: string,
  tenant: string,
): Promise<SourceSyncStatus[]> {
  // One after another: the caller's transaction is one connection, which runs one query at a time.
  const sources = await db.withSchema(schema).table(SYNC_SOURCES_TABLE).where({ tenant }).select<
    {
      source_system: string;
      applied: string;
      conflicted: string;
      last_change_at: Date | null;
      last_applied_at: Date | null;
    }[]
  >('source_system', 'applied', 'conflicted', 'last_change_at', 'last_applied_at');
  const rejected = await db
    .withSchema(schema)
    .table(COMMAND_OUTCOMES_TABLE)
    .where({ tenant })
    .whereRaw(`reply->>'status' = 'rejected'`)
    .groupByRaw(`reply->>'sourceSystem'`)
    .select<{ source: string | null; count: string }[]>(db.raw(`reply->>'sourceSystem' AS source`), db.raw('count(*)'));
  const dead = await db
    .withSchema(schema)
    .table(SYNC_DEAD_LETTERS_TABLE)
    .where({ tenant })
    .groupBy('source_system')
    .select<{ source_system: string; count: string; pending: string }[]>(
      'source_system',
      db.raw('count(*) AS count'),
      db.raw('count(*) FILTER (WHERE replayed_at IS NULL) AS pending'),
    );
  const bySource = new Map<string, Counts>();
  const of = (source: string): Counts => {
    let counts = bySource.get(source);
    if (!counts) bySource.set(source, (counts = empty()));
    return counts;
  };
  for (const row of sources) {
    const counts = of(row.source_system);
    counts.applied = Number(row.applied);
    counts.conflicted = Number(row.conflicted);
    counts.lastChangeAt = row.last_change_at;
    counts.lastAppliedAt = row.last_applied_at;
  }
  // Replies written before they named their source count under `unknown`.
  for (const row of rejected) of(row.source ?? 'unknown').rejected = Number(row.count);
  for (const row of dead) {
    const counts = of(row.source_system);
    counts.deadLettered = Number(row.count);
    counts.deadLetteredPending = Number(row.pending);
  }
  return [...bySource]
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([source, c]) => ({
      source,
      applied: c.applied,
      conflicted: c.conflicted,
      rejected: c.rejected,
      deadLettered: c.deadLettered,
      deadLetteredPending: c.deadLetteredPending,
      lastChangeAt: c.lastChangeAt?.toISOString() ?? null,
      lastAppliedAt: c.lastAppliedAt?.toISOString() ?? null,
      lagMs: c.lastChangeAt && c.lastAppliedAt ? c.lastAppliedAt.getTime() - c.lastChangeAt.getTime() : null,
    }));
}
