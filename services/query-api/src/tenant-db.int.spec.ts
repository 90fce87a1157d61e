import { randomUUID } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { HttpProblem, parseEnv } from '@verity/service-kit';
import { grantReader, readerRoleOf, tenantRowSecurityMigration } from '@verity/events';
import { queryApiEnvSchema } from './env';
import { tenantDb } from './tenant-db';

/**
 * tenantDb against the real PostgreSQL, as the query-api's role: a table with the read models'
 * policy in a schema of its own, written as the owner for two tenants.
 */
describe('tenantDb: every read in a transaction of one tenant', () => {
  const env = parseEnv(queryApiEnvSchema, process.env);
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `tdb_${suffix}`;
  /** Granted before it exists, as the projector does before its migrations. */
  const laterSchema = `tdl_${suffix}`;
  /** Created by the owner, never granted. */
  const ungrantedSchema = `tdu_${suffix}`;
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
    for (const s of [schema, laterSchema, ungrantedSchema]) await owner?.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [s]);
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

  it('reads a table the owner creates after the grant', async () => {
    await grantReader(owner, laterSchema, readerRoleOf(env.VERITY_QUERY_DATABASE_URL));
    await owner.schema.withSchema(laterSchema).createTable('items', (t) => {
      t.text('tenant').notNullable();
      t.text('id').notNullable();
    });
    await tenantRowSecurityMigration('test', ['items']).up(owner, laterSchema);
    await owner.withSchema(laterSchema).table('items').insert({ tenant: 'a', id: 'later-1' });
    const later = await tenantDb(pool).read('a', (trx) => trx.withSchema(laterSchema).table('items').pluck('id'));
    expect(later).toEqual(['later-1']);
  });

  it('answers 503 read_models_unavailable, not a 500, while a schema is missing or not granted', async () => {
    await owner.raw('CREATE SCHEMA ??', [ungrantedSchema]);
    await owner.schema.withSchema(ungrantedSchema).createTable('items', (t) => t.text('id'));
    for (const [s, table] of [
      [`tdm_${suffix}`, 'items'],
      [ungrantedSchema, 'items'],
      [schema, 'missing'],
    ] as const) {
      const read = tenantDb(pool).read('a', (trx) => trx.withSchema(s).table(table).pluck('id'));
      await expect(read).rejects.toBeInstanceOf(HttpProblem);
      await expect(read).rejects.toMatchObject({ status: 503, code: 'read_models_unavailable' });
    }
  });

  it('passes other errors on as they are', async () => {
    await expect(tenantDb(pool).read('a', (trx) => trx.raw('SELECT 1/0'))).rejects.toThrow(/division by zero/);
  });
});
