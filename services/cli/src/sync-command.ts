import { parseArgs } from 'node:util';
import knex, { type Knex } from 'knex';
import { tenantIdSchema } from '@verity/core';
import {
  SYNC_DEAD_LETTERS_TABLE,
  SYNC_SOURCES_TABLE,
  readSyncStatus,
  type SourceSyncStatus,
} from '@verity/projection-sync-status';
import { parseEnv, readModelEnvSchema } from '@verity/service-kit';
import { UsageError } from './errors';
import { textTable } from './text-table';

export const SYNC_USAGE = 'verity sync status [--tenant <t>] [--json]';

export interface SyncIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
}

export interface SyncArgs {
  tenant?: string;
  json: boolean;
}

export function parseSyncArgs(args: readonly string[]): SyncArgs {
  const [action, ...rest] = args;
  if (action !== 'status') throw new UsageError(`sync: unknown action ${action ?? '(none)'}; ${SYNC_USAGE}`);
  let values: { tenant?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`sync status: ${(error as Error).message}`);
  }
  if (values.tenant !== undefined && !tenantIdSchema.safeParse(values.tenant).success)
    throw new UsageError(`--tenant ${values.tenant}: lowercase letters, digits and dashes`);
  return { ...(values.tenant !== undefined ? { tenant: values.tenant } : {}), json: values.json ?? false };
}

/** Every tenant with a source that sent anything (as the tables' owner: all tenants). */
async function tenantsOf(db: Knex, schema: string): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { tenant: string }[] }>(
    'SELECT tenant FROM ??.?? UNION SELECT tenant FROM ??.?? ORDER BY tenant',
    [schema, SYNC_SOURCES_TABLE, schema, SYNC_DEAD_LETTERS_TABLE],
  );
  // A letter that named no tenant is counted under none.
  return rows.map((r) => r.tenant).filter((t) => t !== '');
}

const lag = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** One row per tenant and source. */
export function syncTable(status: readonly { tenant: string; sources: readonly SourceSyncStatus[] }[]): string {
  const header = [
    'TENANT',
    'SOURCE',
    'APPLIED',
    'CONFLICTED',
    'REJECTED',
    'DEAD LETTERS',
    'PENDING',
    'LAST CHANGE',
    'LAG',
  ];
  const rows = status.flatMap(({ tenant, sources }) =>
    sources.map((s) => [
      tenant,
      s.source,
      String(s.applied),
      String(s.conflicted),
      String(s.rejected),
      String(s.deadLettered),
      String(s.deadLetteredPending),
      s.lastChangeAt ?? '-',
      lag(s.lagMs),
    ]),
  );
  return textTable(header, rows);
}

/**
 * `verity sync status`: the sync-status read model as `GET /v1/sync/status` answers it, for one
 * tenant or every tenant, read from PostgreSQL as the operator running the CLI.
 */
export async function runSync(
  args: readonly string[],
  io: SyncIo = { env: process.env, stdout: process.stdout },
): Promise<number> {
  const parsed = parseSyncArgs(args);
  const env = parseEnv(readModelEnvSchema, io.env);
  const db = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 2 } });
  try {
    const tenants = parsed.tenant !== undefined ? [parsed.tenant] : await tenantsOf(db, env.VERITY_DB_SCHEMA);
    const status = await Promise.all(
      tenants.map(async (tenant) => ({ tenant, sources: await readSyncStatus(db, env.VERITY_DB_SCHEMA, tenant) })),
    );
    io.stdout.write(parsed.json ? `${JSON.stringify(status)}\n` : syncTable(status));
    return 0;
  } finally {
    await db.destroy();
  }
}
