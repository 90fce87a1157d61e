import type { DecidedBatch, Decision } from './decide-batch';
import type { StreamSnapshot } from './stream-snapshot';

type Snapshots = Pick<ReadonlyMap<string, StreamSnapshot>, 'get'>;

/**
 * What the batches of one partition decided and handed to the group commit, not yet
 * committed. The next batch is decided on it while the previous one commits, so a
 * partition's throughput is not bound by a transaction's latency.
 */
export class PartitionLane {
  private readonly staged = new Map<string, StreamSnapshot>();
  /**
   * Snapshots committed since the latest batch was decided: a batch whose snapshots were read
   * from the store while they committed may have read the ones before them.
   */
  private readonly settled = new Map<string, StreamSnapshot>();
  /** Decisions not yet committed, by command id: a repeat of one is answered with its reply. */
  readonly inFlight = new Map<string, Decision>();
  /** The commit of the latest batch handed over; undefined before the first. */
  last: Promise<void> | undefined;

  /** `committedNext`: the partition's first offset not yet committed, where it is consumed again after a failure. */
  constructor(public committedNext: bigint) {}

  /** Each stream's snapshot as the batches handed over left it, else as committed. */
  over(committed: Snapshots): Snapshots {
    return { get: (streamId) => this.staged.get(streamId) ?? this.settled.get(streamId) ?? committed.get(streamId) };
  }

  /** Records what a batch decided, before it is handed over. */
  stage(decided: DecidedBatch): void {
    // The next batch reads its snapshots after what committed so far is in the store.
    this.settled.clear();
    for (const [streamId, snapshot] of decided.snapshots) this.staged.set(streamId, snapshot);
    for (const o of decided.commands) if (o.kind === 'decided') this.inFlight.set(o.envelope.commandId, o);
  }

  /**
   * Forgets what a committed batch staged (unless a later batch staged over it): `snapshots`,
   * the same streams with the batch's replies remembered, stand for them until the next batch
   * is decided, and the store holds them after that.
   */
  committed(decided: DecidedBatch, lastOffset: bigint, snapshots: readonly StreamSnapshot[]): void {
    for (const snapshot of snapshots)
      if (this.staged.get(snapshot.streamId) === decided.snapshots.get(snapshot.streamId)) {
        this.staged.delete(snapshot.streamId);
        this.settled.set(snapshot.streamId, snapshot);
      }
    for (const o of decided.commands)
      if (o.kind === 'decided' && this.inFlight.get(o.envelope.commandId) === o)
        this.inFlight.delete(o.envelope.commandId);
    this.committedNext = lastOffset + 1n;
  }
}
