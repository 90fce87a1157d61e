import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import knex from 'knex';
import { Registry } from 'prom-client';
import type { CommandEnvelope } from '@verity/core';
import { AvroSerde } from '../avro-serde';
import { createLogger } from '../logger';
import { createRdKafka } from '../rdkafka';
import { createCommandProcessor } from '../processor/command-processor';
import { startCommandClient, type CommandClient } from '../testing/command-client';
import { removeTestStack, testCommand } from '../testing/test-stack';
import { THING_TOTALS_TABLE, thingTotalsProjection } from '../testing/upcasting/thing-totals-projection';
import {
  THINGS_CONTEXT,
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV2,
} from '../testing/upcasting/things-context';
import { fetchTopicOffsets } from '../topic-offsets';
import { contextTopics, repliesTopic } from '../topics';
import { CHECKPOINTS_TABLE } from './checkpoints';
import { createProjector } from './projector';

const registryUrl = process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const redisUrl = process.env.VERITY_REDIS_URL ?? 'redis://127.0.0.1:6380';

/**
 * A projection's `select` (the webhook outbox's: events some subscription takes) keeps the
 * events it does not take out of the transaction: a batch of only those opens none, and its
 * checkpoint still reaches the end of the partition, by a timer once the batches stop.
 */
describe('a projection that selects the events it applies', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `s${id}`;
  const schema = `s_${id}`;
  const topics = contextTopics(THINGS_CONTEXT, prefix);
  const replies = repliesTopic(prefix);
  const brokers = (process.env.VERITY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ brokers, clientId: `test-${prefix}`, logLevel: logLevel.NOTHING });
  const registry = new SchemaRegistry({ host: registryUrl });
  const logger = createLogger('projector-select-e2e', process.env.VERITY_TEST_LOG_LEVEL ?? 'silent');
  const rdkafka = createRdKafka({ brokers, clientId: `test-${prefix}`, logger });
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 4 },
  });
  const redis = new Redis(redisUrl);
  const serde = new AvroSerde(registry, thingsCatalog(2), [dozensToUnits]);
  const running: { stop(): Promise<void> }[] = [];
  let client: CommandClient | undefined;
  const admin = kafka.admin();

  afterAll(async () => {
    await client?.stop();
    for (const component of running.reverse()) await component.stop();
    await admin.disconnect();
    await removeTestStack({
      kafka,
      prefix,
      registryUrl,
      eventsTopic: topics.events,
      eventTypes: [THINGS_COUNTED, THINGS_REMOVED],
    });
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
    redis.disconnect();
  });

  const count = (thing: string, units: number): CommandEnvelope =>
    testCommand(`${THINGS_CONTEXT}.CountThings`, `acme/${thing}`, { thing, units });

  /** Whether every partition's checkpoint is at the end of the events topic (its last event). */
  async function checkpointsAtEnd(): Promise<boolean> {
    const ends = await fetchTopicOffsets(admin, topics.events);
    const rows = await db
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .where({ projection: thingTotalsProjection.name, topic: topics.events })
      .select<{ partition: number; next_offset: string }[]>('partition', 'next_offset');
    const at = new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
    // A transaction marker ends each partition: no batch moves past it.
    return ends.every(({ partition, high }) => high === '0' || BigInt(at.get(partition) ?? '0') >= BigInt(high) - 1n);
  }

  async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('applies what it takes, opens no transaction for the rest, and moves every checkpoint to the end', async () => {
    await admin.connect();
    await serde.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    const processor = createCommandProcessor({
      kafka,
      rdkafka,
      serde,
      context: thingsContextV2,
      topicsOf: (name) => contextTopics(name, prefix),
      repliesTopic: replies,
      logger,
      metrics: new Registry(),
      groupId: `${prefix}.${THINGS_CONTEXT}.command-processor`,
      partitions: 3,
      brokers,
      stateDir: mkdtempSync(join(tmpdir(), 'verity-projector-select-')),
      outcomeWindowMs: 3_600_000,
    });
    await processor.start();
    running.push(processor);
    // Knex's own `transaction` cannot be spied on: the projector gets a view of `db` that counts them.
    let transactions = 0;
    const counted = new Proxy(db, {
      get(target, property, receiver) {
        if (property === 'transaction') transactions += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const projector = createProjector({
      kafka,
      serde,
      projection: {
        ...thingTotalsProjection,
        select: async (events) => events.filter((e) => e.data.thing.startsWith('kept')),
      },
      topics: [topics],
      db: counted,
      schema,
      redis,
      cacheKeyPrefix: prefix,
      groupId: `${prefix}.${THINGS_CONTEXT}.thing-totals`,
      logger,
      metrics: new Registry(),
    });
    await projector.start();
    running.push(projector);
    client = await startCommandClient(kafka, topics.commands, replies);

    for (const [thing, units] of [
      ['kept-bolts', 1],
      ['skipped-nuts', 2],
      ['kept-bolts', 3],
      ['skipped-washers', 4],
    ] as const)
      expect(await client.send(count(thing, units))).toMatchObject({ status: 'accepted' });
    await until('the taken events applied and the checkpoints at the end', async () => {
      const rows = await db.withSchema(schema).table(THING_TOTALS_TABLE).select('thing', 'units');
      return rows.length === 1 && String(rows[0].units) === '4' && (await checkpointsAtEnd());
    });
    expect(await db.withSchema(schema).table(THING_TOTALS_TABLE).pluck('thing')).toEqual(['kept-bolts']);

    // Only events it does not take: no transaction, and the checkpoints still reach the end.
    transactions = 0;
    for (let i = 1; i <= 6; i++)
      expect(await client.send(count(`skipped-${i}`, i))).toMatchObject({ status: 'accepted' });
    await until('the checkpoints past the skipped events', checkpointsAtEnd, 10_000);
    expect(transactions).toBe(0);
    expect(await db.withSchema(schema).table(THING_TOTALS_TABLE).pluck('thing')).toEqual(['kept-bolts']);
  }, 90_000);
});
