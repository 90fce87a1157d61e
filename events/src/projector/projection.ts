import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { ChainedEventMetadata } from '@verity/core';

/** An event as projections see it: decoded, upcast to the newest shape, with where it came from. */
export interface ProjectedEvent {
  topic: string;
  partition: number;
  offset: string;
  /** Avro full name, `verity.<ctx>.<Name>`. */
  type: string;
  metadata: ChainedEventMetadata;
  data: Record<string, unknown>;
}

export interface ProjectionStore {
  /** The PostgreSQL schema that holds this projection's tables (tests use their own). */
  schema: string;
  db: Knex | Knex.Transaction;
}

export interface ProjectionCache {
  redis: Redis;
  /** Prefix of every key and channel (tests use their own). */
  keyPrefix: string;
}

/**
 * One read model: its tables, how an event changes them, and what to tell the cache once
 * the change is committed. `apply` runs inside the projector's PostgreSQL transaction and
 * returns what it changed; `publish` runs after the commit.
 */
export interface Projection<Change = unknown> {
  name: string;
  /** Contexts whose events topics it reads; checkpoints are kept per topic and partition. */
  contexts: readonly string[];
  /**
   * The event types (full names) `apply` acts on, when it acts on few of its topics' events:
   * the others are not decoded, and a batch of only those moves the checkpoint, nothing else.
   * Default: every event is handed to `apply`.
   */
  events?: readonly string[];
  migrations(schema: string): Knex.MigrationSource<unknown>;
  apply(store: ProjectionStore & { db: Knex.Transaction }, event: ProjectedEvent): Promise<Change[]>;
  publish(store: ProjectionStore, cache: ProjectionCache, changes: Change[]): Promise<void>;
}
