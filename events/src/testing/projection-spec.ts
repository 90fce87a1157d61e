import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import type { ChainedEventMetadata, EventFullName, LatestEventPayloads } from '@verity/core';
import { parseChangeNotice, type ChangeNotice } from '../change-notice';
import { commitBatch, migrateProjection, type EventBatch } from '../projector/batch';
import type { ProjectedEvent, Projection } from '../projector/projection';
import { contextTopics } from '../topics';
import { changesChannel } from '../versioned-cache';

/**
 * given(events).when(events).then(rows, cache, notices): a read model's spec against the real
 * PostgreSQL and Redis, through the projector's own path: migrations, one transaction per batch
 * with its checkpoint (a redelivered batch applies nothing twice), then publish. Each `then`
 * builds the read model in a PostgreSQL schema and Redis key prefix of its own and removes
 * both afterwards. Test code only: the build leaves `testing/` out.
 */
export function projectionSpec<Events extends EventFullName, Change>(
  projection: Projection<Events, Change>,
  options: ProjectionSpecOptions = {},
) {
  return {
    given(given: SpecEvent<Events>[]) {
      return {
        when(when: SpecEvent<Events>[], whenOptions: SpecWhenOptions = {}) {
          return {
            then: (assert: (outcome: ProjectionSpecOutcome) => Promise<void>): Promise<void> =>
              runSpec(projection, options, { given, when, deliveries: whenOptions.deliveries ?? 1 }, assert),
          };
        },
      };
    },
  };
}

export interface SpecWhenOptions {
  /**
   * Times `when`'s batches are delivered, each time with the same offsets, as Kafka redelivers a
   * batch whose offsets were not committed. Default 1.
   */
  deliveries?: number;
}

export interface ProjectionSpecOptions {
  /** Default `VERITY_DATABASE_URL`, else the local stack's PostgreSQL. */
  databaseUrl?: string;
  /** Default `VERITY_REDIS_URL`, else the local stack's Redis. */
  redisUrl?: string;
  /** Tenant of the events that do not name one. Default `acme`. */
  tenant?: string;
}

/**
 * An event to project: its type and payload, plus any metadata to set. The rest is filled in:
 * the spec's tenant, subject `<tenant>/spec`, stream versions counting from 1 per subject, and
 * times one second apart from 2025-01-01T00:00:00Z.
 */
export type SpecEvent<Events extends EventFullName> = {
  [Type in Events]: { type: Type; data: LatestEventPayloads[Type]; metadata?: Partial<ChainedEventMetadata> };
}[Events];

/** What `then` gets to look at: the read model's tables, its Redis keys, and the notices `when` published. */
export interface ProjectionSpecOutcome {
  db: Knex;
  schema: string;
  redis: Redis;
  keyPrefix: string;
  /** A table of the read model (in the spec's schema). */
  table(name: string): Knex.QueryBuilder;
  /** The JSON value cached at a key, undefined when there is none. */
  cached(key: string): Promise<unknown>;
  /** The change notices published while `when`'s events were projected, parsed as the query API parses them. */
  notices: ChangeNotice[];
}

const FIRST_TIME = Date.parse('2025-01-01T00:00:00Z');

async function runSpec<Events extends EventFullName, Change>(
  projection: Projection<Events, Change>,
  options: ProjectionSpecOptions,
  scenario: { given: SpecEvent<Events>[]; when: SpecEvent<Events>[]; deliveries: number },
  assert: (outcome: ProjectionSpecOutcome) => Promise<void>,
): Promise<void> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `spec_${id}`;
  const keyPrefix = `spec${id}`;
  const db = knex({
    client: 'pg',
    connection:
      options.databaseUrl ?? process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    pool: { min: 0, max: 2 },
  });
  const redis = new Redis(options.redisUrl ?? process.env.VERITY_REDIS_URL ?? 'redis://127.0.0.1:6380', {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
  });
  const subscriber = redis.duplicate();
  const stream = new SpecStream<Events>(projection, keyPrefix, options.tenant ?? 'acme');

  // The projector's path for each batch: commit, then publish what the commit changed.
  const project = async (batches: EventBatch<ProjectedEvent<Events>>[]): Promise<void> => {
    for (const batch of batches) {
      const committed = await commitBatch(db, schema, projection, batch);
      if (committed) await projection.publish({ schema, db }, { redis, keyPrefix }, committed.changes);
    }
  };

  try {
    await redis.connect();
    await subscriber.connect();
    await migrateProjection(db, schema, projection);
    await project(stream.batches(scenario.given));

    const channel = changesChannel(keyPrefix);
    const end = `end-of-spec:${id}`;
    const messages: string[] = [];
    const ended = new Promise<void>((resolve) =>
      subscriber.on('message', (_channel: string, message: string) =>
        message === end ? resolve() : void messages.push(message),
      ),
    );
    await subscriber.subscribe(channel);
    const batches = stream.batches(scenario.when);
    for (let delivery = 0; delivery < scenario.deliveries; delivery++) await project(batches);
    // Redis delivers one connection's publishes in order: the marker comes after every notice.
    await redis.publish(channel, end);
    await ended;

    const notices = messages.map((message) => {
      const notice = parseChangeNotice(message);
      if (!notice) throw new Error(`${projection.name} published a notice the read side ignores: ${message}`);
      return notice;
    });
    await assert({
      db,
      schema,
      redis,
      keyPrefix,
      table: (name) => db.withSchema(schema).table(name),
      cached: async (key) => {
        const value = await redis.get(key);
        return value === null ? undefined : (JSON.parse(value) as unknown);
      },
      notices,
    });
  } finally {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]).catch(() => undefined);
    const keys = await redis.keys(`${keyPrefix}:*`).catch(() => []);
    if (keys.length > 0) await redis.del(...keys);
    subscriber.disconnect();
    redis.disconnect();
    await db.destroy();
  }
}

/** Places spec events in the projection's topics the way Kafka would: offsets, metadata, batches. */
class SpecStream<Events extends EventFullName> {
  private readonly offsets = new Map<string, number>();
  private readonly versions = new Map<string, number>();
  private count = 0;

  constructor(
    private readonly projection: Projection<Events>,
    private readonly keyPrefix: string,
    private readonly tenant: string,
  ) {}

  /** One batch per run of consecutive events of one topic (partition 0), as a consumer would be handed them. */
  batches(events: SpecEvent<Events>[]): EventBatch<ProjectedEvent<Events>>[] {
    const batches: EventBatch<ProjectedEvent<Events>>[] = [];
    for (const event of events) {
      const projected = this.place(event);
      const last = batches[batches.length - 1];
      if (last && last.topic === projected.topic) {
        last.events.push(projected);
        last.nextOffset = String(Number(projected.offset) + 1);
      } else {
        batches.push({
          topic: projected.topic,
          partition: 0,
          events: [projected],
          nextOffset: String(Number(projected.offset) + 1),
        });
      }
    }
    return batches;
  }

  private place(event: SpecEvent<Events>): ProjectedEvent<Events> {
    const context = event.type.split('.')[1] ?? '';
    if (!this.projection.contexts.includes(context))
      throw new Error(`${this.projection.name} does not read the ${context} context: ${event.type}`);
    const topic = contextTopics(context, this.keyPrefix).events;
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    const n = ++this.count;
    const tenant = event.metadata?.tenant ?? this.tenant;
    const subject = event.metadata?.subject ?? `${tenant}/spec`;
    const streamVersion = event.metadata?.streamVersion ?? (this.versions.get(subject) ?? 0) + 1;
    this.versions.set(subject, streamVersion);
    const time = new Date(FIRST_TIME + (n - 1) * 1000).toISOString();
    const metadata: ChainedEventMetadata = {
      id: `spec-${n}:0`,
      type: event.type,
      source: `/verity/${context}`,
      time,
      subject,
      streamVersion,
      schemaVersion: 1,
      tenant,
      actor: 'spec',
      correlationId: `spec-${n}`,
      causationId: `spec-${n}`,
      sourceSystem: 'verity',
      sourceTimestamp: time,
      prevHash: '',
      hash: '',
      ...event.metadata,
    };
    return { ...event, topic, partition: 0, offset: String(offset), metadata };
  }
}
