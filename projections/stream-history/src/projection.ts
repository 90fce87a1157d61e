import { eventFullName, type EventFullName } from '@verity/core';
import { contexts } from '@verity/domain';
import { HistoryGapError, type AnyProjection, type ProjectedEvent, type ProjectionTransaction } from '@verity/events';
import { streamHistoryMigrations } from './migrations';
import type { StreamKey } from './history-view';
import { readStreamState } from './stream-state-view';

/**
 * The contexts whose streams are served here. The access context is not among them: its streams
 * are credentials, read through the gateway's admin API only.
 */
export const HISTORY_CONTEXTS = ['inventory', 'catalog', 'pricing', 'sources', 'aliases'] as const;
export type HistoryContext = (typeof HISTORY_CONTEXTS)[number];

const definitionOf = (name: string) => {
  const definition = contexts.find((c) => c.name === name);
  if (!definition) throw new Error(`no context definition named ${name}`);
  return definition;
};

/** Every event type the served contexts declare: the generated payload map has one entry for each. */
const HISTORY_EVENTS = HISTORY_CONTEXTS.flatMap((name) =>
  definitionOf(name).events.map((type) => eventFullName(name, type) as EventFullName),
);

/**
 * Every how many versions a stream's state is kept: a state read folds at most this many events
 * after the nearest one. A kept state costs one read of the events since the one before.
 */
export const STATE_EVERY_VERSIONS = 500;

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

async function insertEvents(store: ProjectionTransaction, events: readonly ProjectedEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += ROWS_PER_INSERT)
    await store.db
      .withSchema(store.schema)
      .table('stream_events')
      .insert(events.slice(start, start + ROWS_PER_INSERT).map(rowOf))
      // A stream version is written once by its one writer: a second copy can only be the same event.
      .onConflict(['tenant', 'context', 'stream_id', 'version'])
      .ignore();
}

/** Keeps the stream's state after the event, folded from the state kept before it (in this transaction). */
async function keepState(store: ProjectionTransaction, event: ProjectedEvent): Promise<void> {
  const { metadata } = event;
  const stream: StreamKey = {
    tenant: metadata.tenant,
    context: contextOf(event.topic, event.type),
    streamId: metadata.subject,
  };
  try {
    const folded = await readStreamState(store.db, store.schema, stream, definitionOf(stream.context).decider, {
      version: metadata.streamVersion,
    });
    if (!folded) return;
    await store.db
      .withSchema(store.schema)
      .table('stream_states')
      .insert({
        tenant: stream.tenant,
        context: stream.context,
        stream_id: stream.streamId,
        version: folded.version,
        time: folded.at,
        at: folded.at,
        state: JSON.stringify(folded.state),
      })
      .onConflict(['tenant', 'context', 'stream_id', 'version'])
      .ignore();
  } catch (error) {
    // A history with a gap (one that began before this read model did) keeps no state: reads
    // fold it themselves and answer the gap. Anything else is a fault to stop on.
    if (!(error instanceof HistoryGapError)) throw error;
  }
}

/** The stream-history projection, keeping each stream's state every `stateEveryVersions` versions. */
export function streamHistoryProjectionOf(stateEveryVersions: number): AnyProjection {
  const applyBatch = async (store: ProjectionTransaction, events: readonly ProjectedEvent[]): Promise<never[]> => {
    await insertEvents(store, events);
    for (const event of events)
      if (event.metadata.streamVersion % stateEveryVersions === 0) await keepState(store, event);
    return [];
  };
  return {
    name: 'stream-history',
    contexts: HISTORY_CONTEXTS,
    events: HISTORY_EVENTS,
    migrations: streamHistoryMigrations,
    apply: (store, event) => applyBatch(store, [event]),
    applyBatch,
    // Nothing is cached: history pages are read from PostgreSQL; readers wake on checkpoint notices.
    publish: async () => undefined,
  };
}

/**
 * Every event of the served contexts, decoded and upcast, keyed by stream and version, and each
 * stream's state every `STATE_EVERY_VERSIONS` versions: a page of a stream's history is one index
 * range instead of a scan of the stream's partition, and a time-travel read folds at most one
 * interval of events. The kept states are `evolve`'s as it was when they were kept: a change to
 * a decider's `evolve` or an upcaster takes a rebuild of this read model, as it takes a state
 * rebuild of the processors. The events topics stay the record; `verity audit` reads and
 * verifies them there.
 */
export const streamHistoryProjection: AnyProjection = streamHistoryProjectionOf(STATE_EVERY_VERSIONS);
