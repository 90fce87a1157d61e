import { randomUUID } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { parseEnv } from '@verity/service-kit';
import { grantReader, readerRoleOf, tenantRowSecurityMigration } from '@verity/events';
import { queryApiEnvSchema } from './env';
import { tenantDb } from './tenant-db';

/**
 * tenantDb against the real PostgreSQL, as the query-api's role: a table with the read models'
 * policy in a schema of its own, written as the owner for two tenants.
 */
describe('tenantDb: every read in a transaction of one tenant', () => {
  const env = parseEnv(queryApiEnvSchema, process.env);
  const schema = `tdb_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  let owner: Knex;
  let pool: Knex;

  beforeAll(async () => {
    owner = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 2 } });
    await owner.raw('CREATE SCHEMA ??', [schema]);
    await owner.schema.withSchema(schema).createTable('items', (t) => {
      t.text('tenant').notNullable();
      t.text('id').notNullable();
    });
    await tenantRowSecurityMigration('test', ['items']).up(owner, schema);
    await grantReader(owner, schema, readerRoleOf(env.VERITY_QUERY_DATABASE_URL));
    await owner
      .withSchema(schema)
      .table('items')
      .insert([
        { tenant: 'a', id: 'a-1' },
        { tenant: 'a', id: 'a-2' },
        { tenant: 'b', id: 'b-1' },
      ]);
    // One connection: each read reuses the session the previous one set its tenant on.
    pool = knex({ client: 'pg', connection: env.VERITY_QUERY_DATABASE_URL, pool: { min: 1, max: 1 } });
  });
  afterAll(async () => {
    await pool?.destroy();
    await owner?.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await owner?.destroy();
  });

  const ids = (db: Knex): Promise<string[]> => db.withSchema(schema).table('items').orderBy('id').pluck<string[]>('id');

  it("returns the tenant's rows only, with no WHERE on the tenant", async () => {
    const db = tenantDb(pool);
    expect(await db.read('a', (trx) => ids(trx))).toEqual(['a-1', 'a-2']);
    expect(await db.read('b', (trx) => ids(trx))).toEqual(['b-1']);
    expect(await db.read('c', (trx) => ids(trx))).toEqual([]);
  });

  it('leaves no tenant on the pooled connection once the transaction is over', async () => {
    await tenantDb(pool).read('a', (trx) => ids(trx));
    expect(await ids(pool)).toEqual([]);
  });

  it('is read-only', async () => {
    await expect(
      tenantDb(pool).read('a', (trx) => trx.withSchema(schema).table('items').where({ id: 'a-1' }).delete()),
    ).rejects.toThrow(/read-only transaction/);
  });

  it('answers ping without a tenant', async () => {
    await expect(tenantDb(pool).ping()).resolves.toBeUndefined();
  });
});
