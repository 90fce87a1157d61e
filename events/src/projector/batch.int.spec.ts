import { randomUUID } from 'node:crypto';
import knex from 'knex';
import type { ProjectedEvent, Projection } from './projection';
import { commitBatch, commitGroupBatch, handledBy, migrateProjection } from './batch';
import { CheckpointRaceError, readCheckpoints, withCheckpoint } from './checkpoints';

type Counted = ProjectedEvent<'verity.inventory.StockReceived'>;

/** Counts what it is handed; no tables of its own. */
function countingProjection(): Projection<'verity.inventory.StockReceived', string> & { applied: string[] } {
  const applied: string[] = [];
  return {
    applied,
    name: 'counting',
    contexts: ['inventory'],
    events: ['verity.inventory.StockReceived'],
    migrations: () => ({
      getMigrations: async () => [],
      getMigrationName: () => '',
      getMigration: async () => ({ up: async () => undefined }),
    }),
    apply: async (_store, event) => {
      applied.push(event.offset);
      return [event.offset];
    },
    publish: async () => undefined,
  };
}

const received = (offset: number, partition = 0): Counted => ({
  topic: 't.inventory.events',
  partition,
  offset: String(offset),
  type: 'verity.inventory.StockReceived',
  metadata: {
    id: `c-${offset}:0`,
    type: 'verity.inventory.StockReceived',
    source: '/verity/inventory',
    time: '2025-01-01T00:00:00.000Z',
    subject: 'acme/S-1',
    streamVersion: offset + 1,
    schemaVersion: 1,
    tenant: 'acme',
    actor: 'spec',
    correlationId: 'c',
    causationId: 'c',
    sourceSystem: 'verity',
    sourceTimestamp: '2025-01-01T00:00:00.000Z',
    prevHash: '',
    hash: '',
  },
  data: { sku: 'S-1', location: 'WH1', quantity: 1 },
});

describe('commitBatch', () => {
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 2 },
  });
  const schema = `batch_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const checkpoint = async () => (await readCheckpoints(db, schema, 'counting', 't.inventory.events')).get(0);

  afterAll(async () => {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
  });

  it('applies the events past the checkpoint in one transaction and moves it past the batch', async () => {
    const projection = countingProjection();
    await migrateProjection(db, schema, projection);
    expect(
      await commitBatch(db, schema, projection, {
        topic: 't.inventory.events',
        partition: 0,
        events: [received(0), received(2)],
        nextOffset: '3',
      }),
    ).toEqual({ applied: 2, changes: ['0', '2'] });
    expect(await checkpoint()).toBe('3');
    // Redelivered with one more: only the new one is applied.
    expect(
      await commitBatch(db, schema, projection, {
        topic: 't.inventory.events',
        partition: 0,
        events: [received(2), received(3)],
        nextOffset: '4',
      }),
    ).toEqual({ applied: 1, changes: ['3'] });
    expect(projection.applied).toEqual(['0', '2', '3']);
    expect(await checkpoint()).toBe('4');
    // An older batch redelivered (from a committed offset behind the checkpoint): nothing applied, checkpoint kept.
    expect(
      await commitBatch(db, schema, projection, {
        topic: 't.inventory.events',
        partition: 0,
        events: [received(0)],
        nextOffset: '1',
      }),
    ).toEqual({ applied: 0, changes: [] });
    expect(await checkpoint()).toBe('4');
  });

  it('leaves the checkpoint where it was when applying the batch fails', async () => {
    const projection = countingProjection();
    const failing = {
      ...projection,
      apply: async () => {
        throw new Error('apply failed');
      },
    };
    await expect(
      commitBatch(db, schema, failing, {
        topic: 't.inventory.events',
        partition: 0,
        events: [received(4)],
        nextOffset: '5',
      }),
    ).rejects.toThrow('apply failed');
    expect(await checkpoint()).toBe('4');
  });

  it('with no event the projection applies, only moves the checkpoint forward and has nothing to publish', async () => {
    const projection = countingProjection();
    expect(
      await commitBatch(db, schema, projection, {
        topic: 't.inventory.events',
        partition: 0,
        events: [],
        nextOffset: '9',
      }),
    ).toBeUndefined();
    expect(await checkpoint()).toBe('9');
    expect(
      await commitBatch(db, schema, projection, {
        topic: 't.inventory.events',
        partition: 0,
        events: [],
        nextOffset: '5',
      }),
    ).toBeUndefined();
    expect(await checkpoint()).toBe('9');
    expect(projection.applied).toEqual([]);
  });

  it('refuses a batch whose partition checkpoint a concurrent batch created, rather than apply from 0', async () => {
    const key = { projection: 'counting', topic: 't.inventory.events', partition: 7 };
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const first = withCheckpoint(db, schema, key, '10', async (_trx, next) => {
      firstStarted();
      await held;
      return next;
    });
    await started;
    const second = withCheckpoint(db, schema, key, '12', async (_trx, next) => next);
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await expect(first).resolves.toBe(0n);
    await expect(second).rejects.toBeInstanceOf(CheckpointRaceError);
    expect((await readCheckpoints(db, schema, 'counting', 't.inventory.events')).get(7)).toBe('10');
    // Retried, it sees the checkpoint and goes on from there.
    await expect(withCheckpoint(db, schema, key, '12', async (_trx, next) => next)).resolves.toBe(10n);
  });

  it("commits batches of several partitions in one transaction, each from its partition's checkpoint", async () => {
    const projection = countingProjection();
    const topic = 't.inventory.events';
    const at = async (partition: number) => (await readCheckpoints(db, schema, 'counting', topic)).get(partition);
    await commitBatch(db, schema, projection, { topic, partition: 20, events: [received(0, 20)], nextOffset: '1' });
    projection.applied.length = 0;
    // Partition 20 was applied up to 1, partition 21 not at all: its offset 0 is fresh, 20's is not.
    const committed = await commitGroupBatch(
      db,
      schema,
      [{ projection, events: [received(0, 20), received(1, 20), received(0, 21)] }],
      {
        topic,
        moves: [
          { partition: 21, nextOffset: '1' },
          { partition: 20, nextOffset: '2' },
        ],
      },
    );
    expect(committed).toEqual([{ applied: 2, changes: ['1', '0'] }]);
    expect([await at(20), await at(21)]).toEqual(['2', '1']);
    // A failure rolls back the moves of every partition of the transaction.
    const failing = {
      ...projection,
      apply: async () => {
        throw new Error('apply failed');
      },
    };
    await expect(
      commitGroupBatch(db, schema, [{ projection: failing, events: [received(2, 20), received(1, 21)] }], {
        topic,
        moves: [
          { partition: 20, nextOffset: '3' },
          { partition: 21, nextOffset: '2' },
        ],
      }),
    ).rejects.toThrow('apply failed');
    expect([await at(20), await at(21)]).toEqual(['2', '1']);
    // With nothing to apply, each partition's checkpoint moves forward only.
    await commitGroupBatch(db, schema, [{ projection, events: [] }], {
      topic,
      moves: [
        { partition: 20, nextOffset: '1' },
        { partition: 21, nextOffset: '5' },
      ],
    });
    expect([await at(20), await at(21)]).toEqual(['2', '5']);
  });

  it('hands a projection only the event types it names', () => {
    const handles = handledBy(countingProjection());
    expect(handles('verity.inventory.StockReceived')).toBe(true);
    expect(handles('verity.inventory.StockReserved')).toBe(false);
  });
});
