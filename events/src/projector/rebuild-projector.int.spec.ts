import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type ConsumerConfig } from 'kafkajs';
import knex from 'knex';
import { toHeaders } from '@verity/core';
import { AvroSerde } from '../avro-serde';
import { createLogger } from '../logger';
import { SchemaCatalog } from '../schema-catalog';
import { removeTestStack } from '../testing/test-stack';
import { readCheckpoints } from './checkpoints';
import type { ProjectedEvent, Projection } from './projection';
import { createRebuildProjector } from './rebuild-projector';

const RECEIVED = 'verity.inventory.StockReceived';
type Received = ProjectedEvent<typeof RECEIVED>;
const registryUrl = process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/** Records the offsets it is handed per partition and whether it was told it publishes; fails on `failOn`. */
function recordingProjection(failOn?: string) {
  const applied = new Map<number, string[]>();
  const publishes: (boolean | undefined)[] = [];
  const projection: Projection<typeof RECEIVED, string> = {
    name: 'recording',
    contexts: ['inventory'],
    events: [RECEIVED],
    migrations: () => ({
      getMigrations: async () => [],
      getMigrationName: () => '',
      getMigration: async () => ({ up: async () => undefined }),
    }),
    apply: async () => {
      throw new Error('a rebuild applies whole batches');
    },
    applyBatch: async (store, events: readonly Received[]) => {
      publishes.push(store.publishes);
      if (events.some((e) => e.data.sku === failOn)) throw new Error(`refused ${failOn}`);
      for (const e of events) applied.set(e.partition, [...(applied.get(e.partition) ?? []), e.offset]);
      return [];
    },
    publish: async () => undefined,
  };
  return { projection, applied, publishes };
}

describe('createRebuildProjector', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `rb${id}`;
  const schema = `rb_${id}`;
  const topic = `${prefix}.inventory.events`;
  const brokers = (process.env.VERITY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ brokers, clientId: `test-${prefix}`, logLevel: logLevel.NOTHING });
  const serde = new AvroSerde(new SchemaRegistry({ host: registryUrl }), SchemaCatalog.load());
  const logger = createLogger('rebuild-projector-int', process.env.VERITY_TEST_LOG_LEVEL ?? 'silent');
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 4 },
  });
  const PER_PARTITION = 50;

  /** `count` StockReceived on each of partitions 0 and 1, SKU `<partition>-<n>`. */
  async function produce(count: number, skuOf = (p: number, n: number) => `${p}-${n}`): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    for (const partition of [0, 1])
      await producer.send({
        topic,
        messages: Array.from({ length: count }, (_, n) => {
          const sku = skuOf(partition, n);
          const now = new Date().toISOString();
          return {
            partition,
            key: `acme/${sku}`,
            value: serde.encode(topic, RECEIVED, { sku, location: 'WH1', quantity: 1 }).value,
            headers: toHeaders({
              id: `${sku}:0`,
              type: RECEIVED,
              source: '/verity/inventory',
              time: now,
              subject: `acme/${sku}`,
              streamVersion: 1,
              schemaVersion: 1,
              tenant: 'acme',
              actor: 'spec',
              correlationId: sku,
              causationId: sku,
              sourceSystem: 'verity',
              sourceTimestamp: now,
              prevHash: '',
              hash: '',
            }),
          };
        }),
      });
    await producer.disconnect();
  }

  /** Runs a rebuild projector until both partitions' checkpoints reach `end` or it fails. */
  async function runUntil(projection: Projection<typeof RECEIVED, string>, end: number, groupId: string) {
    let failure: Error | undefined;
    /** Per partition, the offsets the projector said its commits reached, in turn. */
    const reported = new Map<number, bigint[]>();
    /** The fetches its consumer sent before it handed out a batch, and where each partition's first batch began. */
    let fetches = 0;
    let fetchesBeforeFirstBatch: number | undefined;
    const firstOffsets = new Map<number, string>();
    const watched = {
      consumer: (config: ConsumerConfig) => {
        const consumer = kafka.consumer(config);
        consumer.on(consumer.events.FETCH_START, () => (fetches += 1));
        consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
          fetchesBeforeFirstBatch ??= fetches;
          if (!firstOffsets.has(payload.partition)) firstOffsets.set(payload.partition, payload.firstOffset);
        });
        return consumer;
      },
    } as unknown as Kafka;
    const projector = createRebuildProjector({
      kafka: watched,
      serde,
      projection,
      topics: [topic],
      groupId,
      db,
      schema,
      logger,
      onFailure: (error) => (failure = error),
      onCommitted: ({ partition, nextOffset }) =>
        reported.set(partition, [...(reported.get(partition) ?? []), nextOffset]),
    });
    await projector.start();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const at = await readCheckpoints(db, schema, projection.name, topic);
        if ([0, 1].every((p) => Number(at.get(p) ?? 0) >= end) || failure || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await projector.stop();
    }
    return {
      failure,
      reported,
      fetchesBeforeFirstBatch,
      firstOffsets,
      checkpoints: await readCheckpoints(db, schema, projection.name, topic),
    };
  }

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    await serde.register(topic, [RECEIVED]);
    await produce(PER_PARTITION);
  }, 60_000);
  afterAll(async () => {
    await removeTestStack({ kafka, prefix, registryUrl, eventsTopic: topic, eventTypes: [RECEIVED] });
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
  });

  it('applies every partition in offset order, publishing nothing, then resumes from its checkpoints', async () => {
    const first = recordingProjection();
    const run = await runUntil(first.projection, PER_PARTITION, `${prefix}.g1`);
    expect(run.failure).toBeUndefined();
    const offsets = Array.from({ length: PER_PARTITION }, (_, n) => String(n));
    expect(first.applied.get(0)).toEqual(offsets);
    expect(first.applied.get(1)).toEqual(offsets);
    expect(new Set(first.publishes)).toEqual(new Set([false]));
    // Each commit is told, in offset order, the last one where the checkpoint stands.
    for (const partition of [0, 1]) {
      const told = run.reported.get(partition) ?? [];
      expect(told).toEqual([...told].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(String(told.at(-1))).toBe(String(run.checkpoints.get(partition)));
    }

    // More events; a new projector (a resumed rebuild, a new group) applies only those.
    await produce(10, (p, n) => `${p}-more-${n}`);
    const second = recordingProjection();
    const resumed = await runUntil(second.projection, PER_PARTITION + 10, `${prefix}.g1-resumed`);
    expect(resumed.failure).toBeUndefined();
    const more = Array.from({ length: 10 }, (_, n) => String(PER_PARTITION + n));
    expect(second.applied.get(0)).toEqual(more);
    expect(second.applied.get(1)).toEqual(more);
    // It joined already knowing its checkpoints: its first fetch started there, none was thrown away.
    expect(resumed.fetchesBeforeFirstBatch).toBe(1);
    expect(Object.fromEntries(resumed.firstOffsets)).toEqual({ 0: String(PER_PARTITION), 1: String(PER_PARTITION) });
  }, 60_000);

  it('reports a batch that fails and moves no checkpoint past it', async () => {
    const failing = recordingProjection('0-more-3');
    const before = await readCheckpoints(db, schema, failing.projection.name, topic);
    await produce(5, (p, n) => `${p}-more-${n}`);
    const run = await runUntil(failing.projection, PER_PARTITION + 15, `${prefix}.g1-failing`);
    expect(run.failure?.message).toBe('refused 0-more-3');
    expect(run.checkpoints.get(0)).toBe(before.get(0));
    // Nothing was told of a commit that did not happen.
    expect(run.reported.get(0) ?? []).toEqual([]);
  }, 60_000);

  it('fails to start, applying nothing, when its tables cannot be created', async () => {
    const broken = recordingProjection();
    const projection: Projection<typeof RECEIVED, string> = {
      ...broken.projection,
      name: 'broken',
      migrations: () => ({
        getMigrations: async () => ['create'],
        getMigrationName: (name: string) => name,
        getMigration: async () => ({
          up: async () => {
            throw new Error('no tables');
          },
          down: async () => undefined,
        }),
      }),
    };
    const projector = createRebuildProjector({
      kafka,
      serde,
      projection,
      topics: [topic],
      groupId: `${prefix}.g-broken`,
      db,
      schema,
      logger,
    });
    await expect(projector.start()).rejects.toThrow('no tables');
    await projector.stop();
    expect(broken.applied.size).toBe(0);
    expect((await readCheckpoints(db, schema, 'broken', topic)).size).toBe(0);
  }, 60_000);
});
