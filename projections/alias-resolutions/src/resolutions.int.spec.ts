import { randomUUID } from 'node:crypto';
import knex from 'knex';
import { Registry } from 'prom-client';
import { createLogger, migrateProjection, sharedCounter } from '@verity/events';
import { ALIAS_RESOLUTIONS_TABLE } from './migrations';
import { aliasResolutionsReadModel } from './resolutions-projector';
import { listResolutions } from './resolutions-view';
import { pruneResolutions, startResolutionPruner } from './retention';

describe('the alias resolutions table against PostgreSQL', () => {
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 2 },
  });
  const schema = `ares_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const table = () => db.withSchema(schema).table(ALIAS_RESOLUTIONS_TABLE);
  const row = (
    tenant: string,
    id: string,
    at: string,
    alias = 'orders',
    canonical: string | null = 'order-service',
  ) => ({
    tenant,
    id,
    resolved_at: at,
    context: 'backend',
    alias,
    canonical,
    actor: 'app-a',
    credential_kind: 'jwt',
    instance: 'host/1/abcdef01',
    consistency_token: false,
  });

  beforeAll(async () => {
    await db.raw('CREATE SCHEMA ??', [schema]);
    await migrateProjection(db, schema, aliasResolutionsReadModel);
  });
  afterAll(async () => {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
  });
  beforeEach(() => table().delete());

  it("pages a tenant's resolutions oldest first, a tie in time ordered by id, filtered by alias and time", async () => {
    await table().insert([
      row('acme', 'b', '2026-12-01T10:00:00.000Z'),
      row('acme', 'a', '2026-12-01T10:00:00.000Z', 'nope', null),
      row('acme', 'c', '2026-12-01T11:00:00.000Z'),
      row('globex', 'd', '2026-12-01T10:30:00.000Z'),
    ]);
    const first = await listResolutions(db, schema, { tenant: 'acme', limit: 2 });
    expect(first.items.map((r) => [r.id, r.outcome, r.resolvedAt])).toEqual([
      ['a', 'not_found', '2026-12-01T10:00:00.000Z'],
      ['b', 'resolved', '2026-12-01T10:00:00.000Z'],
    ]);
    expect(first.next).toEqual(['2026-12-01T10:00:00.000Z', 'b']);
    const second = await listResolutions(db, schema, { tenant: 'acme', limit: 2, after: first.next! });
    expect({ ids: second.items.map((r) => r.id), next: second.next }).toEqual({ ids: ['c'], next: undefined });

    const ids = async (query: Parameters<typeof listResolutions>[2]) =>
      (await listResolutions(db, schema, query)).items.map((r) => r.id);
    expect(await ids({ tenant: 'acme', limit: 10, alias: 'orders' })).toEqual(['b', 'c']);
    expect(await ids({ tenant: 'acme', limit: 10, from: '2026-12-01T10:00:00.001Z' })).toEqual(['c']);
    expect(await ids({ tenant: 'acme', limit: 10, to: '2026-12-01T11:00:00.000Z' })).toEqual(['a', 'b']);
    expect(await ids({ tenant: 'acme', limit: 10, context: 'frontend' })).toEqual([]);
    expect(await ids({ tenant: 'globex', limit: 10 })).toEqual(['d']);
  });

  it('prunes every tenant past the retention in bounded statements, keeping the rest', async () => {
    const old = Array.from({ length: 5 }, (_, i) => row(i % 2 ? 'acme' : 'globex', `old-${i}`, '2026-01-01T00:00:00Z'));
    await table().insert([...old, row('acme', 'new', new Date().toISOString())]);
    const deletes: string[] = [];
    const seen = (query: { sql: string }) => {
      if (query.sql.startsWith('DELETE')) deletes.push(query.sql);
    };
    db.on('query', seen);
    try {
      expect(await pruneResolutions(db, schema, new Date(Date.now() - 86_400_000), 2)).toBe(5);
    } finally {
      db.off('query', seen);
    }
    // Two rows a statement: three statements, the last removing fewer than two.
    expect(deletes).toHaveLength(3);
    expect(await table().pluck('id')).toEqual(['new']);
  });

  it('the pruner removes and counts what is past the retention, at start', async () => {
    await table().insert([row('acme', 'old', '2026-01-01T00:00:00Z'), row('acme', 'new', new Date().toISOString())]);
    const pruned = sharedCounter(new Registry(), { name: 'pruned_total', help: 'pruned' });
    const pruner = startResolutionPruner({
      db,
      schema,
      retentionMs: 30 * 86_400_000,
      everyMs: 3_600_000,
      pruned,
      logger: createLogger('resolutions-spec', 'silent'),
    });
    await pruner.stop();
    expect(await table().pluck('id')).toEqual(['new']);
    expect((await pruned.get()).values[0]?.value).toBe(1);
  });
});
