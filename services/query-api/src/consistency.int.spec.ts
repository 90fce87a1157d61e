import { randomUUID } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { Redis } from 'ioredis';
import { parseEnv } from '@verity/service-kit';
import {
  CHECKPOINTS_TABLE,
  checkpointsChannel,
  ensureCheckpointTable,
  grantReader,
  parseCheckpointNotice,
  publishCheckpointNotice,
  readerRoleOf,
} from '@verity/events';
import { createCheckpointWatch } from './checkpoint-watch';
import { waitForProjection, waitForProjectionChecked, type CheckpointStore } from './consistency';
import { queryApiEnvSchema } from './env';
import { tenantDb, type TenantDb } from './tenant-db';

/**
 * A consistency wait against the real PostgreSQL and Redis: the checkpoint is written as a
 * projector writes it, the notice published as it publishes it, and received by a subscriber
 * wired as the query-api's is.
 */
describe('waiting for a consistency token', () => {
  const env = parseEnv(queryApiEnvSchema, process.env);
  const schema = `cw_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const prefix = `cw${randomUUID().slice(0, 8)}`;
  const projection = 'inventory-stock';
  const topic = `${prefix}.inventory.events`;
  let owner: Knex;
  let pool: Knex;
  let publisher: Redis;
  let subscriber: Redis;
  let reads = 0;
  let db: TenantDb;

  beforeAll(async () => {
    owner = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 2 } });
    await ensureCheckpointTable(owner, schema);
    await grantReader(owner, schema, readerRoleOf(env.VERITY_QUERY_DATABASE_URL));
    pool = knex({ client: 'pg', connection: env.VERITY_QUERY_DATABASE_URL, pool: { min: 0, max: 2 } });
    const counted = tenantDb(pool);
    db = {
      read: (tenant, query) => {
        reads++;
        return counted.read(tenant, query);
      },
      ping: () => counted.ping(),
    };
    publisher = new Redis(env.VERITY_REDIS_URL);
    subscriber = new Redis(env.VERITY_REDIS_URL);
  });
  afterAll(async () => {
    publisher?.disconnect();
    subscriber?.disconnect();
    await pool?.destroy();
    await owner?.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await owner?.destroy();
  });

  const moveCheckpoint = async (partition: number, offset: string): Promise<void> => {
    await owner
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .insert({ projection, topic, partition, next_offset: offset, updated_at: owner.fn.now() })
      .onConflict(['projection', 'topic', 'partition'])
      .merge();
  };

  async function watchedStore(): Promise<CheckpointStore> {
    const watch = createCheckpointWatch(schema, () => subscriber.status === 'ready');
    subscriber.removeAllListeners('message');
    subscriber.on('message', (_channel: string, message: string) => {
      const notice = parseCheckpointNotice(message);
      if (notice) watch.notice(notice);
    });
    await subscriber.subscribe(checkpointsChannel(prefix));
    return { db, schema, consistencyTimeoutMs: 10_000, checkpointWatch: watch };
  }

  it('is woken by the notice of the checkpoint it waits for, not by polling PostgreSQL', async () => {
    const store = await watchedStore();
    reads = 0;
    const waiting = waitForProjectionChecked(store, projection, { topic, offsets: { 0: '5' } }, 'acme');
    await new Promise((r) => setTimeout(r, 150));
    // A notice of another schema (a rebuild's generation) wakes nobody here.
    await publishCheckpointNotice(publisher, prefix, {
      schema: 'elsewhere',
      projection,
      topic,
      partition: 0,
      offset: '5',
    });
    await moveCheckpoint(0, '5');
    await publishCheckpointNotice(publisher, prefix, { schema, projection, topic, partition: 0, offset: '5' });
    // Ended by the notice, which comes after the projector's cache update: the cache may answer.
    expect(await waiting).toEqual({ freshness: 'fresh', cacheCurrent: true });
    // The read before waiting (a second if a slow machine reaches the 250 ms fallback first);
    // polling every 25 ms would read 6 or more.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(2);

    // Once a notice has named the partition, a wait reads nothing: notices answer it.
    reads = 0;
    expect(await waitForProjectionChecked(store, projection, { topic, offsets: { 0: '4' } }, 'acme')).toEqual({
      freshness: 'fresh',
      cacheCurrent: true,
    });
    const next = waitForProjectionChecked(store, projection, { topic, offsets: { 0: '6' } }, 'acme');
    await new Promise((r) => setTimeout(r, 50));
    await moveCheckpoint(0, '6');
    await publishCheckpointNotice(publisher, prefix, { schema, projection, topic, partition: 0, offset: '6' });
    expect(await next).toEqual({ freshness: 'fresh', cacheCurrent: true });
    expect(reads).toBeLessThanOrEqual(1);
  });

  it('answers fresh at once when the checkpoint has passed, and stale when it does not come in time', async () => {
    const store = await watchedStore();
    await moveCheckpoint(1, '3');
    reads = 0;
    // Seen in PostgreSQL, not by a notice: the cache may not hold it yet.
    expect(await waitForProjectionChecked(store, projection, { topic, offsets: { 1: '3' } }, 'acme')).toEqual({
      freshness: 'fresh',
      cacheCurrent: false,
    });
    expect(reads).toBe(1);
    expect(
      await waitForProjection(
        { ...store, consistencyTimeoutMs: 300 },
        projection,
        { topic, offsets: { 1: '99' } },
        'acme',
      ),
    ).toBe('stale');
  });

  it('still sees the checkpoint move when no notice comes (a notice lost, Redis down)', async () => {
    const store = await watchedStore();
    const waiting = waitForProjection(store, projection, { topic, offsets: { 2: '7' } }, 'acme');
    await new Promise((r) => setTimeout(r, 100));
    await moveCheckpoint(2, '7');
    expect(await waiting).toBe('fresh');

    // Without a live subscription the wait polls.
    const unwatched: CheckpointStore = {
      ...store,
      checkpointWatch: createCheckpointWatch(schema, () => false),
    };
    const polled = waitForProjection(unwatched, projection, { topic, offsets: { 2: '8' } }, 'acme');
    await new Promise((r) => setTimeout(r, 100));
    await moveCheckpoint(2, '8');
    expect(await polled).toBe('fresh');
  });
});
