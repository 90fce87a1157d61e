import type { Decider, DomainCommand, DomainEvent, ChainedEventMetadata } from '@verity/core';
import { eventShortName, VerityError } from '@verity/core';
import type { StreamSnapshot } from './stream-snapshot';

/** An event read back from the log, its payload decoded into the newest version of its schema. */
export interface LoggedEvent {
  partition: number;
  offset: string;
  metadata: ChainedEventMetadata;
  /** Avro full name, `verity.<ctx>.<Name>`. */
  fullName: string;
  data: Record<string, unknown>;
}

/** A stream's versions do not run 1, 2, 3… in the log: folding it would give a state no processor ever had. */
export class StreamVersionGapError extends VerityError {
  constructor(streamId: string, expected: number, actual: number, where: { partition: number; offset: string }) {
    super(
      'stream_version_gap',
      `stream ${streamId}: expected version ${expected}, found ${actual} at partition ${where.partition} offset ${where.offset}; no state was written`,
      {
        context: { streamId, expected, actual, ...where },
      },
    );
  }
}

/** The current snapshot has seen more events than the log holds: rebuilding would roll the stream back. */
export class StateAheadOfLogError extends VerityError {
  constructor(streamId: string, snapshotVersion: number, logVersion: number) {
    super(
      'state_ahead_of_log',
      `stream ${streamId}: its snapshot is at version ${snapshotVersion} but the log ends at version ${logVersion}; no state was written`,
      {
        context: { streamId, snapshotVersion, logVersion },
      },
    );
  }
}

/** `verity.inventory.StockReceived` + payload → `{ type: 'StockReceived', data }`, the event a decider evolves with. */
export function toDomainEvent(fullName: string, data: Record<string, unknown>): DomainEvent {
  return { type: eventShortName(fullName), data };
}

/** A rebuilt snapshot and the state partition it belongs in: the partition of its stream's events. */
export interface RebuiltSnapshot {
  partition: number;
  snapshot: StreamSnapshot;
}

interface FoldedStream {
  partition: number;
  version: number;
  state: unknown;
  lastHash: string;
}

/** Each stream's state folded from its events in log order, checking versions run from 1 without gaps. */
export class StreamFolds {
  private readonly streams = new Map<string, FoldedStream>();
  private folded = 0;

  constructor(private readonly decider: Decider<unknown, DomainCommand, DomainEvent>) {}

  /** Streams seen so far. */
  get size(): number {
    return this.streams.size;
  }

  /** Events folded so far. */
  get events(): number {
    return this.folded;
  }

  apply(event: LoggedEvent): void {
    const { subject: streamId, streamVersion, hash } = event.metadata;
    const current = this.streams.get(streamId);
    const expected = (current?.version ?? 0) + 1;
    if (streamVersion !== expected) throw new StreamVersionGapError(streamId, expected, streamVersion, event);
    const state = this.decider.evolve(
      current ? current.state : this.decider.initialState(),
      toDomainEvent(event.fullName, event.data),
    );
    this.streams.set(streamId, { partition: event.partition, version: expected, state, lastHash: hash });
    this.folded++;
  }

  /**
   * One snapshot per stream, superseding the current one (`sequence` + 1) and keeping its
   * replies, so a repeated command is still answered from memory. A stream with a snapshot
   * but no events (all its commands were rejected) restarts from the decider's initial state,
   * as the old one may have another shape. `partitionOf` places those.
   */
  snapshots(
    current: ReadonlyMap<string, StreamSnapshot>,
    partitionOf: (streamId: string) => number,
  ): RebuiltSnapshot[] {
    const rebuilt: RebuiltSnapshot[] = [];
    const supersede = (streamId: string, partition: number, folded: Omit<FoldedStream, 'partition'>): void => {
      const old = current.get(streamId);
      if (old && old.version > folded.version) throw new StateAheadOfLogError(streamId, old.version, folded.version);
      rebuilt.push({
        partition,
        snapshot: { streamId, ...folded, sequence: (old?.sequence ?? 0) + 1, recent: old?.recent ?? [] },
      });
    };
    for (const [streamId, { partition, ...folded }] of this.streams) supersede(streamId, partition, folded);
    for (const streamId of current.keys()) {
      if (!this.streams.has(streamId))
        supersede(streamId, partitionOf(streamId), { version: 0, state: this.decider.initialState(), lastHash: '' });
    }
    return rebuilt;
  }
}
