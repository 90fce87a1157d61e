import { keyOf, lagOf, type PartitionEnds } from './rebuild-lag';
import type { PartitionCheckpoint } from './projection-generations';

/**
 * What the building projector has committed, held against the ends the rebuild's progress loop
 * last read: `wait` ends as soon as a commit brings the lag within `maxLag`, so the loop
 * confirms the catch-up at once instead of at its next poll (a poll every 100 ms plus its two
 * queries is several percent of a 100,000-event build). The loop still decides, on fresh ends
 * and the checkpoints in PostgreSQL; this only says when to look.
 */
export class CommitWatch {
  private readonly committed = new Map<string, PartitionCheckpoint>();
  private ends: PartitionEnds = new Map();
  private wake: (() => void) | undefined;

  constructor(private readonly maxLag: bigint) {}

  /** A batch's commit (or a checkpoint read back): its partition is applied up to `nextOffset`. */
  committedUpTo(checkpoint: PartitionCheckpoint): void {
    const key = keyOf(checkpoint);
    const known = this.committed.get(key);
    if (known && known.nextOffset >= checkpoint.nextOffset) return;
    this.committed.set(key, checkpoint);
    if (this.wake && this.reached()) this.wake();
  }

  /** The ends the next commits are held against. */
  seen(ends: PartitionEnds): void {
    this.ends = ends;
  }

  /** Resolves after `ms`, or sooner once the commits reach the ends last seen. */
  wait(ms: number): Promise<void> {
    if (this.reached()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private reached(): boolean {
    return this.ends.size > 0 && lagOf([...this.committed.values()], this.ends) <= this.maxLag;
  }
}
