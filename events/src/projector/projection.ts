import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { ChainedEventMetadata, EventFullName, LatestEventPayloads } from '@verity/core';

/** An event as projections see it: decoded, upcast to the newest shape, with where it came from. */
export interface EventEnvelope<Type extends string = string, Data = unknown> {
  topic: string;
  partition: number;
  offset: string;
  /** Avro full name, `verity.<ctx>.<Name>`. */
  type: Type;
  metadata: ChainedEventMetadata;
  data: Data;
}

/**
 * The events `Events` as a union by `type`, so `switch (event.type)` narrows `event.data` to that
 * event's payload. `Payloads` maps full names to payloads (the generated map, unless a test
 * context brings its own).
 */
export type ProjectedEventOf<Payloads, Events extends keyof Payloads & string = keyof Payloads & string> = {
  [Type in Events]: EventEnvelope<Type, Payloads[Type]>;
}[Events];

/** One of `Events` of Verity's contexts, with its generated payload type. */
export type ProjectedEvent<Events extends EventFullName = EventFullName> = ProjectedEventOf<
  LatestEventPayloads,
  Events
>;

export interface ProjectionStore {
  /** The PostgreSQL schema that holds this projection's tables (tests use their own). */
  schema: string;
  db: Knex | Knex.Transaction;
}

/** Where `apply` writes: the projector's transaction of the batch. */
export interface ProjectionTransaction extends ProjectionStore {
  db: Knex.Transaction;
  /**
   * False when nothing will be published (a rebuild's new generation): `apply` may then skip
   * what only `publish` needs, and return no changes. Absent: published.
   */
  publishes?: boolean;
}

export interface ProjectionCache {
  redis: Redis;
  /** Prefix of every key and channel (tests use their own). */
  keyPrefix: string;
}

/**
 * One read model: the events it applies, its tables, how an event changes them, and what to
 * tell the cache once the change is committed. `apply` runs inside the projector's PostgreSQL
 * transaction and returns what it changed; `publish` runs after the commit.
 */
export interface ProjectionOf<Event extends EventEnvelope, Change> {
  name: string;
  /** Contexts whose events topics it reads; checkpoints are kept per topic and partition. */
  contexts: readonly string[];
  /**
   * The event types (full names) `apply` acts on: the only ones it is handed. The others of its
   * topics are not decoded, and a batch of only those moves the checkpoint, nothing else.
   */
  events: readonly Event['type'][];
  migrations(schema: string): Knex.MigrationSource<unknown>;
  apply(store: ProjectionTransaction, event: Event): Promise<Change[]>;
  /**
   * A batch's events at once, in offset order, with the effect of `apply` on each in turn: a read
   * model that folds a batch into a few set-based statements sets it, and the projector then
   * calls it instead of `apply` (a rebuild applies a whole log).
   */
  applyBatch?(store: ProjectionTransaction, events: readonly Event[]): Promise<Change[]>;
  /**
   * Optional: the events of a batch that change anything, chosen before a transaction opens
   * (the webhook outbox: events some subscription takes). A batch of none only moves the
   * checkpoint, one statement instead of a transaction.
   */
  select?(events: readonly Event[]): Promise<Event[]>;
  publish(store: ProjectionStore, cache: ProjectionCache, changes: Change[]): Promise<void>;
}

/** A read model of Verity's events, typed by the union of the events it applies. */
export type Projection<Events extends EventFullName, Change = unknown> = ProjectionOf<ProjectedEvent<Events>, Change>;

/** Any read model of Verity's events: what the projector service runs. */
export type AnyProjection = Projection<EventFullName>;
