import { eventFullName, type EventFullName } from '@verity/core';
import { contexts } from '@verity/domain';
import type { AnyProjection, ProjectedEvent, ProjectionTransaction } from '@verity/events';
import { streamHistoryMigrations } from './migrations';

/**
 * The contexts whose streams are served here. The access context is not among them: its streams
 * are credentials, read through the gateway's admin API only.
 */
export const HISTORY_CONTEXTS = ['inventory', 'catalog', 'pricing', 'sources', 'aliases'] as const;
export type HistoryContext = (typeof HISTORY_CONTEXTS)[number];

/** Every event type the served contexts declare: the generated payload map has one entry for each. */
const HISTORY_EVENTS = HISTORY_CONTEXTS.flatMap((name) => {
  const definition = contexts.find((c) => c.name === name);
  if (!definition) throw new Error(`no context definition named ${name}`);
  return definition.events.map((type) => eventFullName(name, type) as EventFullName);
});

/** Rows per INSERT: 18 parameters a row stays far below PostgreSQL's 65,535 a statement. */
const ROWS_PER_INSERT = 1000;

const contextOf = (topic: string, fullName: string): string => {
  const context = fullName.split('.')[1];
  if (!context) throw new Error(`${topic}: event type ${fullName} names no context`);
  return context;
};

const rowOf = (event: ProjectedEvent) => {
  const { metadata } = event;
  return {
    tenant: metadata.tenant,
    context: contextOf(event.topic, event.type),
    stream_id: metadata.subject,
    version: metadata.streamVersion,
    event_id: metadata.id,
    partition: event.partition,
    offset: event.offset,
    time: metadata.time,
    type: event.type,
    actor: metadata.actor,
    on_behalf_of: metadata.onBehalfOf ?? null,
    source_system: metadata.sourceSystem,
    source_timestamp: metadata.sourceTimestamp,
    correlation_id: metadata.correlationId,
    causation_id: metadata.causationId,
    payload: JSON.stringify(event.data),
    hash: metadata.hash,
    prev_hash: metadata.prevHash,
  };
};

async function insertEvents(store: ProjectionTransaction, events: readonly ProjectedEvent[]): Promise<never[]> {
  for (let start = 0; start < events.length; start += ROWS_PER_INSERT)
    await store.db
      .withSchema(store.schema)
      .table('stream_events')
      .insert(events.slice(start, start + ROWS_PER_INSERT).map(rowOf))
      // A stream version is written once by its one writer: a second copy can only be the same event.
      .onConflict(['tenant', 'context', 'stream_id', 'version'])
      .ignore();
  return [];
}

/**
 * Every event of the served contexts, decoded and upcast, keyed by stream and version: a page of a
 * stream's history, or the events a time-travel read folds, is one index range instead of a scan
 * of the stream's partition. The events topics stay the record; `verity audit` reads and verifies
 * them there.
 */
export const streamHistoryProjection: AnyProjection = {
  name: 'stream-history',
  contexts: HISTORY_CONTEXTS,
  events: HISTORY_EVENTS,
  migrations: streamHistoryMigrations,
  apply: (store, event) => insertEvents(store, [event]),
  applyBatch: insertEvents,
  // Nothing is cached: history pages are read from PostgreSQL; readers wake on checkpoint notices.
  publish: async () => undefined,
};
