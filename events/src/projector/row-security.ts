import type { Knex } from 'knex';

/**
 * The setting that names the tenant a reading transaction may see: the query-api sets it with
 * `set_config('verity.tenant', <tenant>, true)` (SET LOCAL) at the start of each transaction.
 */
export const TENANT_SETTING = 'verity.tenant';

/** Name of the policy every tenant table gets. */
const POLICY = 'tenant_isolation';

/**
 * Row-level security on a read-model table with a `tenant` column, for migrations: a role other
 * than the table's owner sees only the rows of the tenant its transaction set, and none when it
 * set no tenant (`current_setting(..., true)` is then NULL, and `tenant = NULL` is never true).
 * The policy is for PUBLIC, so it binds whatever the reader role is called; the projector writes
 * as the owner, whom RLS does not bind unless forced, which it is not. Only SELECT has a policy:
 * a non-owner can change no row. Published migrations call this: never change what it does, add
 * another function for another policy.
 */
async function enableTenantRowSecurity(db: Knex, schema: string, table: string): Promise<void> {
  await db.raw('ALTER TABLE ??.?? ENABLE ROW LEVEL SECURITY', [schema, table]);
  await db.raw(`CREATE POLICY ?? ON ??.?? FOR SELECT USING (tenant = current_setting('${TENANT_SETTING}', true))`, [
    POLICY,
    schema,
    table,
  ]);
}

/** Undoes `enableTenantRowSecurity` (a migration's `down`). */
async function disableTenantRowSecurity(db: Knex, schema: string, table: string): Promise<void> {
  await db.raw('DROP POLICY IF EXISTS ?? ON ??.??', [POLICY, schema, table]);
  await db.raw('ALTER TABLE ??.?? DISABLE ROW LEVEL SECURITY', [schema, table]);
}

/** A migration that puts `enableTenantRowSecurity` on each of `tables` (and takes it off in `down`). */
export function tenantRowSecurityMigration(
  name: string,
  tables: readonly string[],
): { name: string; up(db: Knex, schema: string): Promise<void>; down(db: Knex, schema: string): Promise<void> } {
  return {
    name,
    async up(db, schema) {
      for (const table of tables) await enableTenantRowSecurity(db, schema, table);
    },
    async down(db, schema) {
      for (const table of tables) await disableTenantRowSecurity(db, schema, table);
    },
  };
}
