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
  /** Decisions not yet committed, by command id: a repeat of one is answered with its reply. */
  readonly inFlight = new Map<string, Decision>();
  /** The commit of the latest batch handed over; undefined before the first. */
  last: Promise<void> | undefined;

  /** `committedNext`: the partition's first offset not yet committed, where it is consumed again after a failure. */
  constructor(public committedNext: bigint) {}

  /** Each stream's snapshot as the batches handed over left it, else as committed. */
  over(committed: Snapshots): Snapshots {
    return { get: (streamId) => this.staged.get(streamId) ?? committed.get(streamId) };
  }

  /** Records what a batch decided, before it is handed over. */
  stage(decided: DecidedBatch): void {
    for (const [streamId, snapshot] of decided.snapshots) this.staged.set(streamId, snapshot);
    for (const o of decided.commands) if (o.kind === 'decided') this.inFlight.set(o.envelope.commandId, o);
  }

  /** Forgets what a committed batch staged (unless a later batch staged over it); the committed table holds it now. */
  committed(decided: DecidedBatch, lastOffset: bigint): void {
    for (const [streamId, snapshot] of decided.snapshots)
      if (this.staged.get(streamId) === snapshot) this.staged.delete(streamId);
    for (const o of decided.commands)
      if (o.kind === 'decided' && this.inFlight.get(o.envelope.commandId) === o)
        this.inFlight.delete(o.envelope.commandId);
    this.committedNext = lastOffset + 1n;
  }
}
