import { Client } from 'pg';

/** The role Debezium connects as (the checked-in connector's `database.user`): it may read the WAL, nothing more. */
export const CDC_ROLE = 'erp_cdc';
/** Owns the ERP's tables; the CDC role is a member, since only a table's owner may add it to a publication. */
export const OWNER_ROLE = 'erp_owner';

/**
 * A legacy ERP's three tables. REPLICA IDENTITY FULL: an update's record carries the old row
 * too, so only the columns that changed become a command (an ERP that did not touch a name
 * does not overwrite, or conflict on, the name), and a delete carries the whole old row.
 */
export const ERP_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS public.items (
  sku        text PRIMARY KEY,
  name       text NOT NULL,
  unit       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS public.inventory_levels (
  sku        text NOT NULL,
  location   text NOT NULL,
  quantity   integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, location)
);
CREATE TABLE IF NOT EXISTS public.price_list_lines (
  price_list_id text NOT NULL,
  sku           text NOT NULL,
  unit_price    numeric(12, 2) NOT NULL,
  valid_from    timestamptz NOT NULL,
  valid_to      timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (price_list_id, sku, valid_from)
);
ALTER TABLE public.items REPLICA IDENTITY FULL;
ALTER TABLE public.inventory_levels REPLICA IDENTITY FULL;
ALTER TABLE public.price_list_lines REPLICA IDENTITY FULL;
ALTER TABLE public.items OWNER TO ${OWNER_ROLE};
ALTER TABLE public.inventory_levels OWNER TO ${OWNER_ROLE};
ALTER TABLE public.price_list_lines OWNER TO ${OWNER_ROLE};
`;

/** A few rows, inserted once: the initial snapshot a new connector ingests. */
export const ERP_ROWS_SQL = `
INSERT INTO public.items (sku, name, unit) VALUES
  ('WIDGET-001', 'Widget', 'EA'),
  ('BOLT-M8', 'Bolt M8', 'EA'),
  ('CABLE-5M', 'Cable 5 m', 'M')
ON CONFLICT DO NOTHING;
INSERT INTO public.inventory_levels (sku, location, quantity) VALUES
  ('WIDGET-001', 'main', 150),
  ('BOLT-M8', 'main', 1200),
  ('CABLE-5M', 'berlin', 40)
ON CONFLICT DO NOTHING;
INSERT INTO public.price_list_lines (price_list_id, sku, unit_price, valid_from) VALUES
  ('PL-EU', 'WIDGET-001', 12.99, '2026-01-01T00:00:00Z'),
  ('PL-EU', 'BOLT-M8', 0.25, '2026-01-01T00:00:00Z')
ON CONFLICT DO NOTHING;
`;

/** `url` with another database. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `sql`; an object another run created meanwhile (roles are shared by every database) is fine. */
async function tolerateExisting(client: Client, sql: string): Promise<void> {
  await client.query(sql).catch((error: Error & { code?: string }) => {
    // 42710 duplicate_object, 42P04 duplicate_database, 23505 a concurrent CREATE ROLE's catalog row.
    if (!['42710', '42P04', '23505'].includes(error.code ?? '')) throw error;
  });
}

/**
 * Creates the ERP database, its roles, tables and rows on the project's PostgreSQL; every step
 * is skipped when already done, so it runs any number of times. `adminUrl` is a superuser's
 * connection (the local stack's `verity`). Returns what it created.
 */
export async function createDemoErp(adminUrl: string, database: string): Promise<{ created: boolean }> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  let created = false;
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await tolerateExisting(admin, `CREATE DATABASE ${database}`);
      created = true;
    }
    const roles = await admin.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [[CDC_ROLE, OWNER_ROLE]]);
    const have = new Set(roles.rows.map((r: { rolname: string }) => r.rolname));
    if (!have.has(OWNER_ROLE)) await tolerateExisting(admin, `CREATE ROLE ${OWNER_ROLE} NOLOGIN`);
    if (!have.has(CDC_ROLE))
      await tolerateExisting(admin, `CREATE ROLE ${CDC_ROLE} LOGIN REPLICATION PASSWORD '${CDC_ROLE}'`);
    await admin.query(`GRANT ${OWNER_ROLE} TO ${CDC_ROLE}`);
    await admin.query(`GRANT CONNECT, CREATE ON DATABASE ${database} TO ${CDC_ROLE}`);
  } finally {
    await admin.end();
  }
  const erp = new Client({ connectionString: databaseUrl(adminUrl, database) });
  await erp.connect();
  try {
    await erp.query(ERP_SCHEMA_SQL);
    await erp.query(ERP_ROWS_SQL);
  } finally {
    await erp.end();
  }
  return { created };
}

/**
 * Drops a run's ERP database and its replication slot, once its connector is deleted: a slot
 * nobody reads keeps WAL. The slot stays active until the connector's task has stopped, so
 * dropping it is retried for up to `timeoutMs`.
 */
export async function dropDemoErp(adminUrl: string, database: string, slot: string, timeoutMs = 30_000): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (rowCount === 0) break;
      const dropped = await admin.query('SELECT pg_drop_replication_slot($1)', [slot]).then(
        () => true,
        () => false,
      );
      if (dropped) break;
      if (Date.now() > deadline) throw new Error(`replication slot ${slot} still active after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
