import type { Knex } from 'knex';
import { pgErrorCode, TENANT_SETTING } from '@verity/events';
import { HttpProblem } from '@verity/service-kit';

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

/**
 * PostgreSQL's answers while the projector has not yet created the read models or let this role
 * read them: undefined_table, invalid_schema_name, insufficient_privilege.
 */
const NOT_YET_READABLE = new Set(['42P01', '3F000', '42501']);

/** A 503 the client may retry, not a 500: the query-api started before the projector. */
const readModelsUnavailable = (): HttpProblem =>
  new HttpProblem(
    503,
    'read_models_unavailable',
    'Read models unavailable',
    'the read models are not readable yet: the projector has not created them or granted this service access; retry',
  );

export function tenantDb(db: Knex): TenantDb {
  return {
    read: (tenant, query) =>
      db
        .transaction(
          async (trx) => {
            await trx.raw('SELECT set_config(?, ?, true)', [TENANT_SETTING, tenant]);
            return query(trx);
          },
          { readOnly: true },
        )
        .catch((error: unknown) => {
          throw NOT_YET_READABLE.has(pgErrorCode(error) ?? '') ? readModelsUnavailable() : error;
        }),
    async ping() {
      await db.raw('select 1');
    },
  };
}
