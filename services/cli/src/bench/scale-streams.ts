import { commandFingerprint, streamIdOf, toHeaders, type CommandEnvelope, type CommandReply } from '@verity/core';
import { inventoryContext } from '@verity/domain';
import {
  DEFAULT_OUTCOME_RETENTION_MS,
  decideBatch,
  settleBatch,
  snapshotRecord,
  streamPartition,
  type ReadCommandRecord,
} from '@verity/events';
import type { ScaleShape } from './scale-options';
import { commandEnvelope } from './workload';

/** Inventory's timers, whose due times state records carry in a header, as the processor writes them. */
const DUE_TIMES = (inventoryContext.timers ?? []).map(
  (t) => (state: unknown) => t.dueAt(state as Parameters<typeof t.dueAt>[0]),
);

/** The actor of the loaded commands, recorded on their events. */
export const LOAD_ACTOR = 'bench:scale-load';
/** Every this-many-th stream holds a reservation (1 %), so the timers have due work. */
export const RESERVED_EVERY = 100;
/**
 * Reservations expire from this long before their stream is loaded to this long after, spread
 * evenly: some are due when a processor starts, more fall due while the bench measures.
 */
export const EXPIRY_SPREAD_MS = { before: 5 * 60_000, after: 10 * 60_000 };
/** How long before its load a stream's commands were received: before any reservation expires. */
const COMMAND_AGE_MS = 3_600_000;
const LOCATIONS = ['berlin', 'hamburg', 'munich', 'vienna'];
/** Units each stream received; a reservation takes one. */
const RECEIVED = 100;
/** A golden-ratio step: the reserved streams' expiries cover the spread evenly, whichever run of them is taken. */
const SPREAD_STEP = (Math.sqrt(5) - 1) / 2;

/** The n-th stream: the tenants take turns, each with SKUs `SKU-0`, `SKU-1`, … */
export function loadedStream(n: number, tenants: number): { tenant: string; sku: string; streamId: string } {
  const tenant = `tenant-${n % tenants}`;
  const sku = `SKU-${Math.floor(n / tenants)}`;
  return { tenant, sku, streamId: streamIdOf(tenant, sku) };
}

export const isReserved = (n: number): boolean => n % RESERVED_EVERY === RESERVED_EVERY - 1;

/** Streams that hold a reservation among the first `streams`. */
export const reservationsOf = (streams: number): number => Math.floor(streams / RESERVED_EVERY);

/** When the reservation of stream n, loaded at `at`, expires. */
export function expiryOf(n: number, at: Date): Date {
  const fraction = (Math.floor(n / RESERVED_EVERY) * SPREAD_STEP) % 1;
  const { before, after } = EXPIRY_SPREAD_MS;
  return new Date(Math.round(at.getTime() - before + fraction * (before + after)));
}

/** The first stream of each partition that has one: a command to each shows every partition deciding. */
export function firstStreamOfEachPartition(
  shape: Pick<ScaleShape, 'streams' | 'tenants'>,
  partitions: number,
): number[] {
  const found = new Map<number, number>();
  for (let n = 0; n < shape.streams && found.size < partitions; n++) {
    const partition = streamPartition(loadedStream(n, shape.tenants).streamId, partitions);
    if (!found.has(partition)) found.set(partition, n);
  }
  return [...found.values()];
}

/** A ReceiveStock of one unit on a loaded stream picked at random (`random` in [0, 1)). */
export function receiveOnRandomStream(
  shape: Pick<ScaleShape, 'streams' | 'tenants'>,
  random: () => number = Math.random,
): { tenant: string; payload: { sku: string; location: string; quantity: number } } {
  const n = Math.floor(random() * shape.streams);
  const { tenant, sku } = loadedStream(n, shape.tenants);
  return { tenant, payload: { sku, location: LOCATIONS[n % LOCATIONS.length] as string, quantity: 1 } };
}

/** The commands that made stream n, as the gateway would have sent them: a ReceiveStock, then a ReserveStock on a reserved stream. */
export function loadCommands(n: number, tenants: number, at: Date): CommandEnvelope[] {
  const { tenant, sku } = loadedStream(n, tenants);
  const location = LOCATIONS[n % LOCATIONS.length] as string;
  const received = new Date(at.getTime() - COMMAND_AGE_MS);
  const commands = [
    commandEnvelope({
      type: 'inventory.ReceiveStock',
      tenant,
      payload: { sku, location, quantity: RECEIVED },
      commandId: `scale-${n}-1`,
      at: received,
      actor: LOAD_ACTOR,
    }),
  ];
  if (isReserved(n))
    commands.push(
      commandEnvelope({
        type: 'inventory.ReserveStock',
        tenant,
        payload: { sku, location, quantity: 1, reservationId: `cart-${n}`, expiresAt: expiryOf(n, at).toISOString() },
        commandId: `scale-${n}-2`,
        at: new Date(received.getTime() + 1000),
        actor: LOAD_ACTOR,
      }),
    );
  return commands;
}

/** A record to produce: explicit partitions for events and state, the producer's partitioner for replies. */
export interface LoadRecord {
  key: string;
  value: Buffer | string;
  partition?: number;
  headers?: Record<string, string | Buffer | (string | Buffer)[] | undefined>;
}

export interface LoadedBatch {
  events: LoadRecord[];
  states: LoadRecord[];
  /** The loaded commands' replies, stream by stream. */
  replies: LoadRecord[];
  /** Expiry (ms since the epoch) of each reservation loaded. */
  expiries: number[];
}

export interface LoadBatchContext {
  tenants: number;
  partitions: number;
  topics: { commands: string; events: string };
  /** When the batch is loaded. */
  at: Date;
  /** The events' Avro encoding, as the processor's serde makes it. */
  encode: (fullName: string, data: Record<string, unknown>) => { value: Buffer; schemaVersion: number };
  /**
   * The next offset of each events partition: the loader is the only writer of fresh topics,
   * so each event's offset is known before it is sent (the replies carry it). Moved past the
   * batch's events.
   */
  offsets: bigint[];
}

/**
 * Streams [from, to) decided as the processor decides them, with its own pure steps, on no prior
 * state, partition by partition: the events with their CloudEvents headers and hash chain, the
 * snapshots as the state topic holds them, and the replies. A load command the decider refuses
 * is an error of the bench.
 */
export function loadBatch(from: number, to: number, context: LoadBatchContext): LoadedBatch {
  const { tenants, partitions, topics, at, encode, offsets } = context;
  const byPartition = new Map<number, ReadCommandRecord[]>();
  const expiries: number[] = [];
  for (let n = from; n < to; n++) {
    const commands = loadCommands(n, tenants, at);
    const partition = streamPartition(commands[0]!.streamId, partitions);
    const records = byPartition.get(partition) ?? [];
    for (const envelope of commands)
      records.push({ kind: 'command', record: { offset: '0', key: null, value: null }, envelope });
    byPartition.set(partition, records);
    if (isReserved(n)) expiries.push(expiryOf(n, at).getTime());
  }
  const batch: LoadedBatch = { events: [], states: [], replies: [], expiries };
  for (const [partition, records] of byPartition) {
    const decided = decideBatch({
      context: inventoryContext,
      source: { topic: topics.commands, partition },
      records,
      snapshots: new Map(),
      encode,
      references: () => undefined,
      outcomeWindowMs: DEFAULT_OUTCOME_RETENTION_MS,
    });
    for (const outcome of decided.commands) {
      if (outcome.kind === 'decided' && !outcome.rejection) continue;
      throw new Error(
        outcome.kind === 'decided'
          ? `load command ${outcome.envelope.commandId} refused: ${outcome.rejection?.code} ${outcome.rejection?.message}`
          : 'a load command id came twice',
      );
    }
    const firstOffset = offsets[partition] as bigint;
    offsets[partition] = firstOffset + BigInt(decided.events.length);
    const settled = settleBatch(decided, { topic: topics.events, partition, firstOffset });
    for (const { metadata, value } of decided.events)
      batch.events.push({ key: metadata.subject, value, partition, headers: toHeaders(metadata) });
    for (const snapshot of settled.snapshots) batch.states.push(snapshotRecord(snapshot, partition, DUE_TIMES));
    for (const reply of settled.replies) batch.replies.push(replyRecord(reply));
  }
  return batch;
}

/** A reply as the processor writes it: JSON keyed by command id. */
export const replyRecord = (reply: CommandReply): LoadRecord => ({
  key: reply.commandId,
  value: JSON.stringify(reply),
});

/** Replies of the loaded commands among the first `streams`: one per stream, one more per reservation. */
export const loadRepliesOf = (streams: number): number => streams + reservationsOf(streams);

/**
 * The n-th past outcome beyond the loaded commands' own: a ReserveStock on stream n mod streams
 * refused for want of stock. A refusal appends nothing, so the streams stay as loaded.
 */
export function pastRefusal(n: number, shape: Pick<ScaleShape, 'streams' | 'tenants'>): CommandReply {
  const stream = n % shape.streams;
  const { sku, streamId } = loadedStream(stream, shape.tenants);
  const location = LOCATIONS[stream % LOCATIONS.length] as string;
  const available = isReserved(stream) ? RECEIVED - 1 : RECEIVED;
  const quantity = RECEIVED + 1;
  const payload = { sku, location, quantity, reservationId: `past-${n}`, expiresAt: '2026-01-01T00:00:00.000Z' };
  return {
    status: 'rejected',
    commandId: `scale-past-${n}`,
    fingerprint: commandFingerprint({ type: 'inventory.ReserveStock', streamId, payload }),
    streamId,
    version: isReserved(stream) ? 2 : 1,
    code: 'insufficient_stock',
    reason: `${quantity} requested at ${location}, ${available} available to promise`,
    details: { available },
  };
}
