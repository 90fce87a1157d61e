import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import knex from 'knex';
import { Registry } from 'prom-client';
import { auditHistory } from './audit/stream-audit';
import { readStream } from './audit/stream-reader';
import { stateAt } from './audit/stream-state';
import { AvroSerde } from './avro-serde';
import { PartitionReader } from './partition-reader';
import type { ContextDefinition, CommandEnvelope, CommandReply } from '@verity/core';
import { createLogger } from './logger';
import { createRdKafka } from './rdkafka';
import { createCommandProcessor, type CommandProcessor } from './processor/command-processor';
import { ProcessorsRunningError, rebuildStates, type StateRebuildProgress } from './processor/state-rebuild';
import { parseSnapshot, rememberedOf, type StreamSnapshot } from './processor/stream-snapshot';
import { createProjector, type Projector } from './projector/projector';
import { startCommandClient, type CommandClient } from './testing/command-client';
import {
  THING_TOTALS_TABLE,
  thingTotalsProjection,
  type ThingTotalRow,
} from './testing/upcasting/thing-totals-projection';
import {
  THINGS_CONTEXT,
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV1,
  thingsContextV2,
} from './testing/upcasting/things-context';
import { contextTopics, repliesTopic } from './topics';
import { removeTestStack, testCommand } from './testing/test-stack';

const registryUrl = process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/**
 * The proof of upcasting, on the real Kafka, registry and PostgreSQL: a v1 event is
 * appended; v2 of the event arrives with an upcaster; the state is rebuilt, and the processor
 * and a projection built from offset 0 both read the old event in the v2 shape.
 */
describe('an old event version through the real runtimes after an upcaster is added', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `t${id}`;
  const schema = `t_${id}`;
  const topics = contextTopics(THINGS_CONTEXT, prefix);
  const replies = repliesTopic(prefix);
  const groupId = `${prefix}.${THINGS_CONTEXT}.command-processor`;
  const brokers = (process.env.VERITY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const stateDir = mkdtempSync(join(tmpdir(), 'verity-upcasting-'));
  const kafka = new Kafka({
    brokers,
    clientId: `test-${prefix}`,
    logLevel: logLevel.NOTHING,
  });
  const registry = new SchemaRegistry({ host: registryUrl });
  const logger = createLogger('upcasting-e2e', process.env.VERITY_TEST_LOG_LEVEL ?? 'silent');
  const rdkafka = createRdKafka({
    brokers: (process.env.VERITY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    clientId: `test-${prefix}`,
    logger,
  });
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 4 },
  });
  // The test projection publishes nothing: the client never needs to connect.
  const redis = new Redis(process.env.VERITY_REDIS_URL ?? 'redis://127.0.0.1:6380', { lazyConnect: true });
  const serdeV1 = new AvroSerde(registry, thingsCatalog(1));
  const serdeV2 = new AvroSerde(registry, thingsCatalog(2), [dozensToUnits]);

  const streamId = 'acme/bolts';
  const running: { stop(): Promise<void> }[] = [];
  let client: CommandClient | undefined;
  let firstCommand: CommandEnvelope;
  let firstReply: CommandReply;

  const processor = (context: ContextDefinition, serde: AvroSerde): CommandProcessor =>
    createCommandProcessor({
      kafka,
      rdkafka,
      serde,
      context,
      topicsOf: (name) => contextTopics(name, prefix),
      repliesTopic: replies,
      logger,
      metrics: new Registry(),
      groupId,
      partitions: 3,
      brokers,
      stateDir,
      outcomeWindowMs: 3_600_000,
    });
  async function start<T extends CommandProcessor | Projector>(component: T): Promise<T> {
    await component.start();
    running.push(component);
    return component;
  }
  async function stop(component: CommandProcessor): Promise<void> {
    await component.stop();
    running.splice(running.indexOf(component), 1);
  }
  const command = (type: string, payload: Record<string, unknown>): CommandEnvelope =>
    testCommand(`${THINGS_CONTEXT}.${type}`, streamId, payload);
  const rebuild = (onProgress?: (p: StateRebuildProgress) => void) =>
    rebuildStates({ kafka, serde: serdeV2, context: thingsContextV2, topics, groupId, logger, onProgress });

  afterAll(async () => {
    await client?.stop();
    for (const component of running.reverse()) await component.stop();
    // Soft delete, then permanent: the registry keeps nothing of a test run.
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

  it('phase 1: the v1 deployment appends ThingsCounted v1 (2 dozens)', async () => {
    const v1 = await start(processor(thingsContextV1, serdeV1));
    client = await startCommandClient(kafka, topics.commands, replies);
    firstCommand = command('CountThings', { thing: 'bolts', dozens: 2 });
    firstReply = await client.send(firstCommand);
    expect(firstReply).toMatchObject({ status: 'accepted', version: 1 });

    const [event] = await readStream({ kafka, topic: topics.events, streamId });
    expect(event!.metadata).toMatchObject({ type: THINGS_COUNTED, streamVersion: 1, schemaVersion: 1 });
    expect(await serdeV1.decode(event!.value)).toMatchObject({
      writerVersion: 1,
      value: { thing: 'bolts', dozens: 2 },
    });

    // A rebuild would race a running processor for the state topic.
    await expect(rebuild()).rejects.toThrow(ProcessorsRunningError);
    await expect(rebuild()).rejects.toMatchObject({ code: 'processors_running' });
    await stop(v1);
  });

  it('phase 2: registers v2 and rebuilds the state in units from the v1 event, keeping the replies', async () => {
    await serdeV2.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    const progress: StateRebuildProgress[] = [];
    expect(await rebuild((p) => progress.push(p))).toEqual({ streams: 1, events: 1, partitions: 3 });
    expect(progress.at(-1)).toMatchObject({ offset: progress.at(-1)!.end, streams: 1 });

    const [event] = await readStream({ kafka, topic: topics.events, streamId });
    // The state topic as a processor restoring its store reads it: the last record of the stream wins.
    const latest = new Map<string, StreamSnapshot>();
    const reader = new PartitionReader({
      brokers,
      topic: topics.state,
      clientId: `${prefix}.test-state`,
      apply: (records) => {
        for (const record of records) latest.set(record.key, parseSnapshot(record.value));
        return Promise.resolve();
      },
    });
    await reader.start(new Map([0, 1, 2].map((p) => [p, 0n])));
    try {
      await reader.catchUp();
      // The old snapshot (sequence 1, in dozens) is superseded by the rebuilt one.
      expect(latest.get(streamId)).toEqual({
        streamId,
        version: 1,
        state: { units: 24 },
        lastHash: event!.metadata.hash,
        sequence: 2,
        recent: [rememberedOf(firstReply, firstCommand.metadata.receivedAt)],
      });
    } finally {
      await reader.stop();
    }
  });

  it('the v2 processor decides on the restored state: 24 units allow removing 15, not 10 more', async () => {
    await start(processor(thingsContextV2, serdeV2));
    expect(await client!.send(command('RemoveThings', { thing: 'bolts', units: 15 }))).toMatchObject({
      status: 'accepted',
      version: 2,
    });
    expect(await client!.send(command('RemoveThings', { thing: 'bolts', units: 10 }))).toMatchObject({
      status: 'rejected',
      version: 2,
      code: 'insufficient_things',
      details: { available: 9 },
    });
    // The rebuilt snapshot kept the idempotency memory: the v1 command is answered, not redone.
    expect(await client!.send(firstCommand)).toEqual(firstReply);

    const events = await readStream({ kafka, topic: topics.events, streamId });
    expect(await Promise.all(events.map((e) => serdeV2.decode(e.value)))).toEqual([
      expect.objectContaining({
        fullName: THINGS_COUNTED,
        writerVersion: 1,
        value: { thing: 'bolts', units: 24, packaging: 'dozen' },
      }),
      expect.objectContaining({ fullName: THINGS_REMOVED, writerVersion: 1, value: { thing: 'bolts', units: 15 } }),
    ]);
  });

  it('time travel folds the v1 event through the upcaster: 24 units at version 1, 9 at version 2', async () => {
    const history = await auditHistory({ kafka, topic: topics.events, streamId, serde: serdeV2 });
    expect(history[0]!.payload).toEqual({ thing: 'bolts', units: 24, packaging: 'dozen' });
    expect(stateAt(thingsContextV2.decider, history, { version: 1 })?.state).toEqual({ units: 24 });
    expect(stateAt(thingsContextV2.decider, history, { at: history[0]!.time })?.state).toEqual({ units: 24 });
    expect(stateAt(thingsContextV2.decider, history, { latest: true })).toMatchObject({
      version: 2,
      state: { units: 9 },
    });
  });

  it('a projection rebuilt from offset 0 in its own schema reads the v1 event as v2: 24 - 15 = 9 units', async () => {
    await start(
      createProjector({
        kafka,
        serde: serdeV2,
        projection: thingTotalsProjection,
        topics: [topics],
        db,
        schema,
        redis,
        cacheKeyPrefix: prefix,
        groupId: `${prefix}.${THINGS_CONTEXT}.thing-totals`,
        logger,
        metrics: new Registry(),
      }),
    );
    const deadline = Date.now() + 30_000;
    let row: ThingTotalRow | undefined;
    while (row?.version !== 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      row = await db
        .withSchema(schema)
        .table(THING_TOTALS_TABLE)
        .where({ tenant: 'acme', thing: 'bolts' })
        .first<ThingTotalRow | undefined>();
    }
    expect(row).toEqual({ tenant: 'acme', thing: 'bolts', units: '9', packaging: 'dozen', version: 2 });
  });
});
