import {
  comparableOf,
  compareRecords,
  mapRecord,
  overallAccuracy,
  type DriftReport,
  type PollerConfig,
  type RecordKind,
  type Values,
} from '@verity/connector-poller';
import { VerityError } from '@verity/core';
import { isUndefinedTable } from '@verity/events';
import type { Pool } from 'pg';
import { fetchPage, type SourceClientOptions } from './source-client';

export interface DriftResult {
  tenant: string;
  source: string;
  checkedAt: string;
  /** Matching over total across every kind. */
  accuracy: number;
  reports: DriftReport[];
  /** Source records no command could be made of: not compared. */
  unmappable: number;
}

/** Every record of a kind the source holds, read in full (no cursor), by key. */
async function sourceValues(
  config: PollerConfig,
  kind: RecordKind,
  client: SourceClientOptions,
): Promise<{ values: Map<string, Values>; unmappable: number }> {
  const values = new Map<string, Values>();
  let unmappable = 0;
  let page: string | undefined;
  do {
    const answer = await fetchPage(
      {
        url: config.url,
        kind,
        pageSize: config.pageSize,
        ...(page === undefined ? {} : { page }),
        ...(config.credential ? { credential: config.credential } : {}),
      },
      client,
    );
    for (const raw of answer.items) {
      try {
        const record = mapRecord(kind, raw);
        values.set(record.key, comparableOf(record));
      } catch (error) {
        if (!(error instanceof VerityError)) throw error;
        unmappable += 1;
      }
    }
    page = answer.nextPage;
  } while (page !== undefined);
  return { values, unmappable };
}

/** PostgreSQL's "relation does not exist": a read model the projector has not created yet holds nothing. */
const emptyWhenMissing = async <T>(read: () => Promise<T[]>): Promise<T[]> =>
  read().catch((error: unknown) => {
    if (isUndefinedTable(error)) return [];
    throw error;
  });

/** The read model's values of a kind for a tenant, as the projections hold them, by the source's keys. */
async function verityValues(db: Pool, schema: string, tenant: string, kind: RecordKind): Promise<Map<string, Values>> {
  if (kind === 'inventory') {
    const rows = await emptyWhenMissing(async () => {
      const result = await db.query<{ sku: string; location: string; on_hand: string }>(
        `SELECT sku, location, on_hand FROM "${schema}".stock_levels WHERE tenant = $1`,
        [tenant],
      );
      return result.rows;
    });
    return new Map(rows.map((r) => [`${r.sku}@${r.location}`, { onHand: Number(r.on_hand) }]));
  }
  const rows = await emptyWhenMissing(async () => {
    const result = await db.query<{
      sku: string;
      name: string;
      unit: string;
      description: string | null;
      attributes: Record<string, string>;
    }>(`SELECT sku, name, unit, description, attributes FROM "${schema}".products WHERE tenant = $1`, [tenant]);
    return result.rows;
  });
  return new Map(
    rows.map((r) => [
      r.sku,
      {
        name: r.name,
        unit: r.unit,
        ...(r.description === null ? {} : { description: r.description }),
        attributes: r.attributes,
      },
    ]),
  );
}

/**
 * The full comparison: every record of the source against Verity's read model, each kind's
 * records missing on either side and values that differ, and matching over total.
 */
export async function checkDrift(
  db: Pool,
  schema: string,
  config: PollerConfig,
  client: SourceClientOptions,
  now: Date,
): Promise<DriftResult> {
  const reports: DriftReport[] = [];
  let unmappable = 0;
  for (const kind of config.kinds) {
    const theirs = await sourceValues(config, kind, client);
    unmappable += theirs.unmappable;
    reports.push(compareRecords(kind, theirs.values, await verityValues(db, schema, config.tenant, kind)));
  }
  return {
    tenant: config.tenant,
    source: config.source,
    checkedAt: now.toISOString(),
    accuracy: overallAccuracy(reports),
    reports,
    unmappable,
  };
}
