import type { Pool } from 'pg';

/** In order; a published migration is never edited, a change is a new one. */
const MIGRATIONS: { name: string; sql: (schema: string) => string }[] = [
  {
    name: '001_poller_tables',
    sql: (s) => `
      CREATE TABLE "${s}".poller_sources (
        tenant text NOT NULL,
        source text NOT NULL,
        url text NOT NULL,
        interval_ms integer NOT NULL,
        page_size integer NOT NULL,
        kinds jsonb NOT NULL,
        -- Sealed with AES-256-GCM under VERITY_SECRETS_KEY: never the credential itself.
        credential jsonb,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, source)
      );
      CREATE TABLE "${s}".poller_cursors (
        tenant text NOT NULL,
        source text NOT NULL,
        kind text NOT NULL,
        -- The newest updated_at seen: the next poll asks from there.
        updated_since text,
        PRIMARY KEY (tenant, source, kind)
      );
      -- When a source's last poll started, whichever instance ran it: what makes it due.
      CREATE TABLE "${s}".poller_runs (
        tenant text NOT NULL,
        source text NOT NULL,
        started_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, source)
      );
      CREATE TABLE "${s}".poller_records (
        tenant text NOT NULL,
        source text NOT NULL,
        kind text NOT NULL,
        record_key text NOT NULL,
        -- sha256 of the mapped payload last sent.
        checksum text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (tenant, source, kind, record_key)
      );`,
  },
];

/**
 * Creates the poller's tables in `schema`. Instances starting together take turns under a
 * transaction-scoped advisory lock, so none applies a migration twice.
 */
export async function migratePoller(db: Pool, schema: string): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.poller_migrations`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".poller_migrations (name text PRIMARY KEY)`);
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM "${schema}".poller_migrations`);
    const applied = new Set(rows.map((r) => r.name));
    for (const migration of MIGRATIONS.filter((m) => !applied.has(m.name))) {
      await client.query(migration.sql(schema));
      await client.query(`INSERT INTO "${schema}".poller_migrations (name) VALUES ($1)`, [migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
