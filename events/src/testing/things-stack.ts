import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { CommandEnvelope, ContextDefinition } from '@verity/core';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import knex, { type Knex } from 'knex';
import { Registry } from 'prom-client';
import { AvroSerde } from '../avro-serde';
import { createLogger, type Logger } from '../logger';
import { createCommandProcessor, type CommandProcessor } from '../processor/command-processor';
import type { EventEnvelope, ProjectionOf } from '../projector/projection';
import { createProjector, type Projector } from '../projector/projector';
import { createRdKafka, type RdKafka } from '../rdkafka';
import { contextTopics, repliesTopic, type ContextTopics } from '../topics';
import { startCommandClient, type CommandClient } from './command-client';
import { removeTestStack, testCommand } from './test-stack';
import { THINGS_CONTEXT, THINGS_COUNTED, THINGS_REMOVED } from './upcasting/things-context';

const registryUrl = process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const redisUrl = process.env.VERITY_REDIS_URL ?? 'redis://127.0.0.1:6380';

/** What an e2e spec of the test `things` context runs against on the real stack, under its own prefix and schema. */
export interface ThingsStack {
  prefix: string;
  /** The PostgreSQL schema of the spec's read models and checkpoints. */
  schema: string;
  topics: ContextTopics;
  replies: string;
  brokers: string[];
  kafka: Kafka;
  registry: SchemaRegistry;
  registryUrl: string;
  redisUrl: string;
  logger: Logger;
  rdkafka: RdKafka;
  db: Knex;
  /** Connects on first use: a spec whose projection publishes nothing never opens it. */
  redis: Redis;
  /** A processor of `context` in the spec's group, on 3 partitions, its local state in the stack's one temporary directory. */
  processor(context: ContextDefinition, serde: AvroSerde): CommandProcessor;
  /**
   * A projector of `projection` (or of several, with one consumer) on the spec's topics, schema
   * and cache prefix; `db` in place of the stack's, `metrics` in place of a registry of its
   * own and `partitionsConsumedConcurrently` when given.
   */
  projector<Event extends EventEnvelope, Change>(
    projection: ProjectionOf<Event, Change> | readonly ProjectionOf<Event, Change>[],
    serde: AvroSerde,
    options?: { db?: Knex; checkpointNotices?: boolean; metrics?: Registry; partitionsConsumedConcurrently?: number },
  ): Projector;
  /** Starts a component, stopped (last started first) by `remove`. */
  start<T extends { start(): Promise<void>; stop(): Promise<void> }>(component: T): Promise<T>;
  /** Stops a component started with `start` before the end. */
  stop(component: { stop(): Promise<void> }): Promise<void>;
  /** The client of the spec's commands topic, started on first use. */
  client(): Promise<CommandClient>;
  /** CountThings on `acme/<thing>`. */
  count(thing: string, units: number): CommandEnvelope;
  /** Stops everything and removes the topics, groups, subjects and schema. */
  remove(): Promise<void>;
}

/**
 * The real stack for a spec of the test `things` context: Kafka, the registry, PostgreSQL and
 * Redis under a prefix (`<letter><id>`) and schema (`<letter>_<id>`) of its own, so specs run
 * in parallel and repeatedly.
 */
export function thingsStack(name: string, letter: string): ThingsStack {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `${letter}${id}`;
  const schema = `${letter}_${id}`;
  const topics = contextTopics(THINGS_CONTEXT, prefix);
  const replies = repliesTopic(prefix);
  const brokers = (process.env.VERITY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ brokers, clientId: `test-${prefix}`, logLevel: logLevel.NOTHING });
  const logger = createLogger(name, process.env.VERITY_TEST_LOG_LEVEL ?? 'silent');
  const db = knex({
    client: 'pg',
    connection: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 4 },
  });
  const redis = new Redis(redisUrl, { lazyConnect: true });
  const rdkafka = createRdKafka({ brokers, clientId: `test-${prefix}`, logger });
  const stateDir = mkdtempSync(join(tmpdir(), `verity-${name}-`));
  const running: { stop(): Promise<void> }[] = [];
  let client: Promise<CommandClient> | undefined;

  return {
    prefix,
    schema,
    topics,
    replies,
    brokers,
    kafka,
    registry: new SchemaRegistry({ host: registryUrl }),
    registryUrl,
    redisUrl,
    logger,
    rdkafka,
    db,
    redis,
    processor: (context, serde) =>
      createCommandProcessor({
        kafka,
        rdkafka,
        serde,
        context,
        topicsOf: (contextName) => contextTopics(contextName, prefix),
        repliesTopic: replies,
        logger,
        metrics: new Registry(),
        groupId: `${prefix}.${THINGS_CONTEXT}.command-processor`,
        partitions: 3,
        brokers,
        stateDir,
        outcomeWindowMs: 3_600_000,
      }),
    projector(
      projection,
      serde,
      { db: projectorDb = db, checkpointNotices, metrics = new Registry(), partitionsConsumedConcurrently } = {},
    ) {
      const projections = 'name' in projection ? [projection] : projection;
      return createProjector({
        kafka,
        serde,
        projections,
        topicsOf: (contextName) => contextTopics(contextName, prefix),
        db: projectorDb,
        checkpointNotices,
        schema,
        redis,
        cacheKeyPrefix: prefix,
        groupId: `${prefix}.${THINGS_CONTEXT}.${projections.map((p) => p.name).join('+')}`,
        logger,
        metrics,
        ...(partitionsConsumedConcurrently ? { partitionsConsumedConcurrently } : {}),
      });
    },
    async start(component) {
      await component.start();
      running.push(component);
      return component;
    },
    async stop(component) {
      await component.stop();
      running.splice(running.indexOf(component), 1);
    },
    client: () => (client ??= startCommandClient(kafka, topics.commands, replies)),
    count: (thing, units) => testCommand(`${THINGS_CONTEXT}.CountThings`, `acme/${thing}`, { thing, units }),
    async remove() {
      await (await client)?.stop();
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
    },
  };
}
