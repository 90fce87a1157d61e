import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { Registry, type MetricValueWithName } from 'prom-client';
import { AvroSerde } from '../avro-serde';
import { thingsStack } from '../testing/things-stack';
import { THING_TOTALS_TABLE, thingTotalsProjection } from '../testing/upcasting/thing-totals-projection';
import {
  THINGS_CONTEXT,
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV2,
} from '../testing/upcasting/things-context';
import { checkpointsChannel, parseCheckpointNotice, type CheckpointNotice } from './checkpoint-notice';
import { CHECKPOINTS_TABLE } from './checkpoints';

const COUNTS_TABLE = 'thing_event_counts';

/** A second read model of the same topic: how many events each thing had, applied a batch at once. */
const thingEventsProjection: typeof thingTotalsProjection = {
  name: 'thing-events',
  contexts: [THINGS_CONTEXT],
  events: [THINGS_COUNTED],
  migrations: (schema) => ({
    getMigrations: async () => ['001_thing_event_counts'],
    getMigrationName: (name) => String(name),
    getMigration: async () => ({
      up: (db: Knex) =>
        db.schema.withSchema(schema).createTable(COUNTS_TABLE, (t) => {
          t.text('thing').primary();
          t.integer('events').notNullable();
        }),
      down: async () => undefined,
    }),
  }),
  apply: async () => {
    throw new Error('applyBatch is the one called');
  },
  async applyBatch({ db, schema }, events) {
    const counts = new Map<string, number>();
    for (const { data } of events) counts.set(data.thing, (counts.get(data.thing) ?? 0) + 1);
    await db
      .withSchema(schema)
      .table(COUNTS_TABLE)
      .insert([...counts].map(([thing, n]) => ({ thing, events: n })))
      .onConflict('thing')
      .merge({ events: db.raw('?? + excluded.events', [`${COUNTS_TABLE}.events`]) });
    return [];
  },
  publish: async () => undefined,
};

/**
 * Read models that read the same topic share one consumer and one transaction a batch. One added
 * to the group later starts from the beginning of the log while the others, read from the same
 * records, apply nothing twice.
 */
describe('a projector of several read models', () => {
  const stack = thingsStack('projector-group', 'g');
  const { db, schema, topics } = stack;
  const serde = new AvroSerde(stack.registry, thingsCatalog(2), [dozensToUnits]);
  // Connected before subscribing: ioredis' ready check, sent after a SUBSCRIBE, is refused.
  const subscriber = new Redis(stack.redisUrl, { lazyConnect: true });
  const notices: CheckpointNotice[] = [];

  afterAll(async () => {
    await stack.remove();
    subscriber.disconnect();
  });

  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const totals = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await db.withSchema(schema).table(THING_TOTALS_TABLE).select('thing', 'units')).map(
        (r: { thing: string; units: string }) => [r.thing, String(r.units)],
      ),
    );
  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await db.withSchema(schema).table(COUNTS_TABLE).select('thing', 'events')).map(
        (r: { thing: string; events: number }) => [r.thing, r.events],
      ),
    );
  const checkpoints = (): Promise<{ projection: string; partition: number; next_offset: string; updated_at: Date }[]> =>
    db
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .where({ topic: topics.events })
      .orderBy(['partition', 'projection'])
      .select('projection', 'partition', 'next_offset', 'updated_at');

  it('starts a read model added later from the beginning, and re-applies nothing to the others', async () => {
    const specStartedAt = Date.now();
    subscriber.on('message', (_channel: string, message: string) => {
      const notice = parseCheckpointNotice(message);
      if (notice?.schema === schema) notices.push(notice);
    });
    await subscriber.connect();
    await subscriber.subscribe(checkpointsChannel(stack.prefix));
    await serde.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    await stack.start(stack.processor(thingsContextV2, serde));
    const client = await stack.client();
    const first = await stack.start(stack.projector(thingTotalsProjection, serde));
    for (const [thing, units] of [
      ['bolts', 1],
      ['nuts', 2],
      ['bolts', 3],
    ] as const)
      expect(await client.send(stack.count(thing, units))).toMatchObject({ status: 'accepted' });
    await until('the first read model applied', async () => {
      const t = await totals();
      return t.bolts === '4' && t.nuts === '2';
    });
    await stack.stop(first);

    const metrics = new Registry();
    await stack.start(stack.projector([thingTotalsProjection, thingEventsProjection], serde, { metrics }));
    expect(await client.send(stack.count('bolts', 5))).toMatchObject({ status: 'accepted' });
    expect(await client.send(stack.count('washers', 6))).toMatchObject({ status: 'accepted' });
    await until('both read models at the end of the log', async () => {
      const c = await counts();
      return c.bolts === 3 && c.nuts === 1 && c.washers === 1;
    });
    // The group's consumer read the log from 0 for the new read model: the old one skipped what it had.
    await until('the first read model at the end', async () => (await totals()).washers === '6');
    expect(await totals()).toEqual({ bolts: '9', nuts: '2', washers: '6' });

    // Each batch was timed, and how long its oldest event took to be readable: the log read
    // again from 0 holds events written before this projector started, none before the spec.
    const histogram = async (name: string) =>
      Object.fromEntries(
        (await metrics.getSingleMetric(name)!.get()).values
          .filter((v): v is MetricValueWithName<string> => 'metricName' in v && v.labels.topic === topics.events)
          .filter((v) => !('le' in v.labels))
          .map((v) => [v.metricName!.slice(name.length + 1), v.value]),
      );
    const batches = await histogram('verity_projection_batch_seconds');
    expect(batches.count).toBeGreaterThan(0);
    const delays = await histogram('verity_projection_delay_seconds');
    expect(delays.count).toBe(batches.count);
    expect(delays.sum! / delays.count!).toBeLessThan((Date.now() - specStartedAt) / 1000);
    expect(delays.sum! / delays.count!).toBeGreaterThan(0);

    // Each partition's last batch moved both checkpoints to its end in one transaction (`now()`
    // is the transaction's start).
    const rows = await checkpoints();
    const partitions = [...new Set(rows.map((r) => r.partition))];
    expect(partitions.length).toBeGreaterThan(0);
    for (const partition of partitions) {
      const [events, totalsRow] = rows.filter((r) => r.partition === partition);
      expect([events?.projection, totalsRow?.projection]).toEqual(['thing-events', 'thing-totals']);
      expect(events?.next_offset).toBe(totalsRow?.next_offset);
      expect(events?.updated_at.getTime()).toBe(totalsRow?.updated_at.getTime());
      // Readers waiting on either read model were told where it got to.
      for (const projection of ['thing-events', 'thing-totals'])
        await until(`${projection}'s notice of partition ${partition}`, async () =>
          notices.some(
            (n) => n.projection === projection && n.partition === partition && n.offset === events?.next_offset,
          ),
        );
    }
  }, 90_000);
});

/**
 * With partitions applied at once, the batches of a fetch's partitions that are ready together
 * (or while a commit runs) share one transaction: each partition still from its own checkpoint.
 */
describe('a projector applying partitions at once', () => {
  const stack = thingsStack('projector-group-commit', 'h');
  const { db, schema, topics } = stack;
  const serde = new AvroSerde(stack.registry, thingsCatalog(2), [dozensToUnits]);

  afterAll(() => stack.remove());

  it('commits batches of several partitions in one transaction, applying each event once', async () => {
    await serde.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    await stack.start(stack.processor(thingsContextV2, serde));
    const client = await stack.client();
    // A backlog on every partition before the projector starts: its first fetch holds them all.
    const things = Array.from({ length: 24 }, (_, i) => `thing-${i}`);
    for (const round of [1, 2])
      await Promise.all(
        things.map(async (thing) =>
          expect(await client.send(stack.count(thing, round))).toMatchObject({ status: 'accepted' }),
        ),
      );
    await stack.start(
      stack.projector([thingTotalsProjection, thingEventsProjection], serde, { partitionsConsumedConcurrently: 3 }),
    );
    const deadline = Date.now() + 30_000;
    const counts = () =>
      db.withSchema(schema).table(COUNTS_TABLE).select<{ thing: string; events: number }[]>('thing', 'events');
    while ((await counts()).reduce((sum, r) => sum + r.events, 0) < things.length * 2) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the read models');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Object.fromEntries((await counts()).map((r) => [r.thing, r.events]))).toEqual(
      Object.fromEntries(things.map((thing) => [thing, 2])),
    );
    const totals = await db.withSchema(schema).table(THING_TOTALS_TABLE).select('thing', 'units');
    expect(Object.fromEntries(totals.map((r: { thing: string; units: string }) => [r.thing, String(r.units)]))).toEqual(
      Object.fromEntries(things.map((thing) => [thing, '3'])),
    );
    // Rows a transaction wrote carry its id (`xmin`): partitions' checkpoints sharing one were
    // moved by one transaction.
    const rows: { partition: number; xid: string }[] = await db
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .where({ topic: topics.events, projection: 'thing-events' })
      .select('partition', db.raw('xmin::text AS xid'));
    expect(rows.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
    expect(new Set(rows.map((r) => r.xid)).size).toBeLessThan(rows.length);
  }, 90_000);
});
