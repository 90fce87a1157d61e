import type { Knex } from 'knex';
import { InvalidOptionError } from '@verity/core';

/** The role the query-api reads as: not the tables' owner, no BYPASSRLS. */
export interface ReaderRole {
  user: string;
  password: string;
}

/** The user and password of a PostgreSQL connection string (the query-api's). */
export function readerRoleOf(connectionString: string): ReaderRole {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new InvalidOptionError('reader connection string', 'a postgres:// URL');
  }
  const user = decodeURIComponent(url.username);
  if (!user) throw new InvalidOptionError('reader connection string', 'a URL naming its user');
  return { user, password: decodeURIComponent(url.password) };
}

/**
 * Lets the reader role read the schema's tables, those there now and those the owner creates
 * later (default privileges), creating the schema and the role (LOGIN, no SUPERUSER, no
 * BYPASSRLS) when they do not exist yet, so a fresh database and a running one alike get it.
 * Run by the projector before its migrations and its consumers, on every start: a read model
 * that shows a change is then readable, never "permission denied" while the grant is pending.
 * Idempotent, and serialised by advisory locks so that replicas starting together do not update
 * the same grants at once (PostgreSQL answers `tuple concurrently updated` then) nor create the
 * schema twice. Creating the role needs CREATEROLE; an owner without it needs the role made
 * beforehand. The owner itself, or an existing role that bypasses row-level security, is
 * refused: the query-api would see every tenant.
 */
export async function grantReader(db: Knex, schema: string, role: ReaderRole): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['verity.reader-role']);
    // The lock migrateProjection takes, so the schema is created once.
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`verity.migrate.${schema}`]);
    const found = await trx.raw<{ rows: { rolsuper: boolean; rolbypassrls: boolean; owner: boolean }[] }>(
      'SELECT rolsuper, rolbypassrls, rolname = current_user AS owner FROM pg_roles WHERE rolname = ?',
      [role.user],
    );
    const existing = found.rows[0];
    if (existing?.owner) throw new InvalidOptionError('reader role', `a role other than the owner (${role.user})`);
    if (!existing) {
      // CREATE ROLE takes no bind parameters: format() quotes the name and the password.
      const { rows } = await trx.raw<{ rows: { sql: string }[] }>(
        `SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', ?::text, ?::text) AS sql`,
        [role.user, role.password],
      );
      await trx.raw(rows[0]!.sql);
    } else if (existing.rolsuper || existing.rolbypassrls) {
      throw new InvalidOptionError('reader role', `a role without SUPERUSER and BYPASSRLS (${role.user} has one)`);
    }
    await trx.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    await trx.raw('GRANT USAGE ON SCHEMA ?? TO ??', [schema, role.user]);
    await trx.raw('GRANT SELECT ON ALL TABLES IN SCHEMA ?? TO ??', [schema, role.user]);
    await trx.raw('ALTER DEFAULT PRIVILEGES IN SCHEMA ?? GRANT SELECT ON TABLES TO ??', [schema, role.user]);
  });
}
