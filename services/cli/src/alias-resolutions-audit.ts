import knex from 'knex';
import { listResolutions, type ResolutionKey, type ResolutionRow } from '@verity/projection-alias-resolutions';
import { parseEnv, readModelEnvSchema } from '@verity/service-kit';
import type { AuditIo } from './audit-command';
import { textTable } from './text-table';

/** Which resolutions to list: `verity audit aliases`' filters (times in ms since the epoch). */
export interface ResolutionsAuditRequest {
  tenant: string;
  alias?: string;
  context?: string;
  from?: number;
  to?: number;
  json: boolean;
}

/** Rows read per query: the listing streams page after page, whatever the log's length. */
const PAGE = 1000;

/** The resolutions as a table: one line per row (identical answers of one window), oldest first. */
export function resolutionsTable(rows: readonly ResolutionRow[]): string {
  return textTable(
    ['TIME', 'COUNT', 'CONTEXT', 'ALIAS', 'OUTCOME', 'CANONICAL', 'ACTOR', 'CREDENTIAL', 'INSTANCE'],
    rows.map((r) => [
      r.resolvedAt,
      String(r.count),
      r.context,
      r.alias,
      r.outcome,
      r.canonical ?? '-',
      r.actor,
      r.credentialKind,
      r.instance,
    ]),
  );
}

/**
 * `verity audit aliases --resolutions ...`: who resolved which alias of a tenant, what they got
 * and when, from the alias resolutions read model (PostgreSQL, as the tables' owner). Resolutions
 * are recorded off the request path: the latest ones appear after the query-api's flush
 * interval and the projector's lag.
 */
export async function runAliasResolutionsAudit(request: ResolutionsAuditRequest, io: AuditIo): Promise<number> {
  const env = parseEnv(readModelEnvSchema, io.env);
  const db = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 1 } });
  const rows: ResolutionRow[] = [];
  try {
    let after: ResolutionKey | undefined;
    do {
      const page = await listResolutions(db, env.VERITY_DB_SCHEMA, {
        tenant: request.tenant,
        limit: PAGE,
        ...(request.alias === undefined ? {} : { alias: request.alias }),
        ...(request.context === undefined ? {} : { context: request.context }),
        ...(request.from === undefined ? {} : { from: new Date(request.from).toISOString() }),
        ...(request.to === undefined ? {} : { to: new Date(request.to).toISOString() }),
        ...(after === undefined ? {} : { after }),
      });
      if (request.json) io.stdout.write(page.items.map((r) => `${JSON.stringify(r)}\n`).join(''));
      rows.push(...page.items);
      after = page.next;
    } while (after);
  } finally {
    await db.destroy();
  }
  if (!request.json) io.stdout.write(resolutionsTable(rows));
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const found = rows.filter((r) => r.outcome === 'resolved').reduce((sum, r) => sum + r.count, 0);
  io.stderr.write(`${total} resolutions: ${found} resolved, ${total - found} not found\n`);
  return 0;
}
