import knex from 'knex';
import { Pool } from 'pg';

/**
 * The services pass VERITY_DATABASE_URL to pg (through knex in the projector and query-api), so
 * its `sslmode` is their TLS setting. The local stack's PostgreSQL has no TLS: a URL that asks
 * for it must fail rather than fall back to clear text.
 */
const base = process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity';
const withMode = (mode: string) => `${base}${base.includes('?') ? '&' : '?'}sslmode=${mode}`;

describe('sslmode in the PostgreSQL URL', () => {
  it.each(['require', 'prefer', 'verify-full'])(
    'sslmode=%s refuses a server without TLS (knex and pg)',
    async (mode) => {
      const db = knex({ client: 'pg', connection: withMode(mode), pool: { min: 0, max: 1 } });
      const pool = new Pool({ connectionString: withMode(mode), max: 1 });
      try {
        await expect(db.raw('select 1')).rejects.toThrow(/does not support SSL/);
        await expect(pool.query('select 1')).rejects.toThrow(/does not support SSL/);
      } finally {
        await db.destroy();
        await pool.end();
      }
    },
  );

  it('sslmode=disable connects in clear text', async () => {
    const db = knex({ client: 'pg', connection: withMode('disable'), pool: { min: 0, max: 1 } });
    try {
      const result = await db.raw<{ rows: { ssl: boolean }[] }>(
        'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      );
      expect(result.rows).toEqual([{ ssl: false }]);
    } finally {
      await db.destroy();
    }
  });
});
