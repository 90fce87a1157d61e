import { randomUUID } from 'node:crypto';
import knex from 'knex';
import { Registry } from 'prom-client';
import { DELIVERIES_TABLE, enqueueDeliveries, outboxMigrations } from '@verity/connector-outbound';
import { createLogger, sharedCounter } from '@verity/events';
import { startOutboxPruner } from './outbox-pruner';

describe('pruning the outbox against PostgreSQL', () => {
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 2 },
  });
  const schema = `whp_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const table = () => db.withSchema(schema).table(DELIVERIES_TABLE);

  beforeAll(async () => {
    await db.raw('CREATE SCHEMA ??', [schema]);
    await db.migrate.latest({
      migrationSource: outboxMigrations(schema),
      schemaName: schema,
      tableName: 'knex_migrations_whp',
    });
  });
  afterAll(async () => {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
  });

  it('removes settled deliveries queued before the retention, and nothing pending or recent', async () => {
    const delivery = (eventId: string) => ({
      subscriptionId: 'whs_aaaaaaaaaaaaaaaa',
      tenant: 'acme',
      streamId: 'acme/SKU-1',
      eventId,
      eventType: 'verity.inventory.StockReceived',
      body: '{}',
    });
    await enqueueDeliveries(db, schema, ['old-delivered', 'old-dead', 'old-pending', 'new-delivered'].map(delivery));
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    await table().whereIn('event_id', ['old-delivered', 'old-dead', 'old-pending']).update({ created_at: longAgo });
    await table()
      .whereIn('event_id', ['old-delivered', 'new-delivered'])
      .update({ status: 'delivered', delivered_at: db.fn.now() });
    await table().where('event_id', 'old-dead').update({ status: 'dead', given_up_at: db.fn.now() });

    const metrics = new Registry();
    const pruned = sharedCounter(metrics, { name: 'pruned_total', help: 'pruned' });
    const pruner = startOutboxPruner({
      db,
      schema,
      retentionMs: 7 * 86_400_000,
      everyMs: 3_600_000,
      pruned,
      logger: createLogger('outbox-pruner-spec', 'silent'),
    });
    await pruner.stop();

    const left = await table().orderBy('event_id').pluck('event_id');
    expect(left).toEqual(['new-delivered', 'old-pending']);
    expect((await metrics.getSingleMetric('pruned_total')!.get()).values[0]!.value).toBe(2);
  });
});
