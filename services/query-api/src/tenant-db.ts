import type { Knex } from 'knex';
import { TENANT_SETTING } from '@verity/events';

/**
 * The query-api's one way into PostgreSQL. It connects as a role that does not own the read
 * models' tables, so their row-level security binds it: each read runs in a read-only
 * transaction that first sets the tenant (`set_config(..., true)`, i.e. SET LOCAL: gone at the
 * commit, so a pooled connection carries no tenant to its next read), and PostgreSQL returns
 * that tenant's rows only, whatever WHERE the query has or forgot. With no tenant set it
 * returns none.
 */
export interface TenantDb {
  read<T>(tenant: string, query: (db: Knex.Transaction) => Promise<T>): Promise<T>;
  /** A round trip that reads no table: readiness and the alias registry's health. */
  ping(): Promise<void>;
}

export function tenantDb(db: Knex): TenantDb {
  return {
    read: (tenant, query) =>
      db.transaction(
        async (trx) => {
          await trx.raw('SELECT set_config(?, ?, true)', [TENANT_SETTING, tenant]);
          return query(trx);
        },
        { readOnly: true },
      ),
    async ping() {
      await db.raw('select 1');
    },
  };
}
