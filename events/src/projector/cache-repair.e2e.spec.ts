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
import { thingTotalsProjection } from '../testing/upcasting/thing-totals-projection';
import {
  THINGS_CONTEXT,
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV2,
} from '../testing/upcasting/things-context';
import { contextTopics, repliesTopic } from '../topics';
import { checkpointsChannel, parseCheckpointNotice } from './checkpoint-notice';
import { createProjector } from './projector';

const registryUrl = process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const redisUrl = process.env.VERITY_REDIS_URL ?? 'redis://127.0.0.1:6380';

/**
 * A cache update that fails is retried until it lands, and no checkpoint notice goes out while
 * one is owed: a notice tells a waiting reader the cache holds the write, so one sent before the
 * repair would let that reader take a stale value.
 */
describe('the projector repairs a failed cache update before it notices a checkpoint again', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `r${id}`;
  const schema = `r_${id}`;
  const topics = contextTopics(THINGS_CONTEXT, prefix);
  const replies = repliesTopic(prefix);
  const brokers = (process.env.VERITY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ brokers, clientId: `test-${prefix}`, logLevel: logLevel.NOTHING });
  const registry = new SchemaRegistry({ host: registryUrl });
  const logger = createLogger('cache-repair-e2e', process.env.VERITY_TEST_LOG_LEVEL ?? 'silent');
  const rdkafka = createRdKafka({ brokers, clientId: `test-${prefix}`, logger });
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 4 },
  });
  const redis = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const serde = new AvroSerde(registry, thingsCatalog(2), [dozensToUnits]);
  const running: { stop(): Promise<void> }[] = [];
  let client: CommandClient | undefined;

  /** Each publish the projector asked for, and whether it failed. */
  const publishes: ('failed' | 'done')[] = [];
  /** For each checkpoint notice: how many publishes had been done when it arrived. */
  const noticedAfter: number[] = [];
  let failuresLeft = 2;

  afterAll(async () => {
    await client?.stop();
    for (const component of running.reverse()) await component.stop();
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
    subscriber.disconnect();
  });

  const count = (thing: string, units: number): CommandEnvelope =>
    testCommand(`${THINGS_CONTEXT}.CountThings`, `acme/${thing}`, { thing, units });

  it('retries the update until it lands, and notices the checkpoints only after it', async () => {
    await serde.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    subscriber.on('message', (_channel: string, message: string) => {
      const notice = parseCheckpointNotice(message);
      if (notice?.schema === schema) noticedAfter.push(publishes.filter((p) => p === 'done').length);
    });
    await subscriber.subscribe(checkpointsChannel(prefix));
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
      stateDir: mkdtempSync(join(tmpdir(), 'verity-cache-repair-')),
      outcomeWindowMs: 3_600_000,
    });
    await processor.start();
    running.push(processor);
    const projector = createProjector({
      kafka,
      serde,
      // Redis refusing the first two updates, as it does while it restarts.
      projection: {
        ...thingTotalsProjection,
        publish: async () => {
          if (failuresLeft > 0) {
            failuresLeft--;
            publishes.push('failed');
            throw new Error('redis unavailable');
          }
          publishes.push('done');
        },
      },
      topics: [topics],
      db,
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

    expect(await client.send(count('bolts', 1))).toMatchObject({ status: 'accepted' });
    const deadline = Date.now() + 30_000;
    while (!publishes.includes('done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // The batch's update failed, its retry failed, the next retry landed.
    expect(publishes.slice(0, 3)).toEqual(['failed', 'failed', 'done']);

    // Later batches are noticed again, and no notice came before the repair.
    expect(await client.send(count('nuts', 2))).toMatchObject({ status: 'accepted' });
    while (noticedAfter.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(noticedAfter.length).toBeGreaterThan(0);
    expect(noticedAfter.every((done) => done >= 1)).toBe(true);
  }, 60_000);
});
