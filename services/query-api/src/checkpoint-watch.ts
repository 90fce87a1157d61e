import type { CheckpointNotice } from '@verity/events';

/**
 * Wakes readers waiting on a consistency token when a projector says a checkpoint moved
 * (`checkpointsChannel`), instead of each polling PostgreSQL on a timer. Only notices of this
 * query-api's schema count: a rebuild's generation, built in a schema of its own, moves
 * checkpoints no reader here waits on.
 */
export interface CheckpointWatch {
  /**
   * A wake-up at the next notice of `projection` and `topic`, or after `ms`. Asked for before
   * the checkpoint is read, so a notice that comes while it is being read still wakes the
   * reader; cancelled when the read shows it is not needed.
   */
  next(projection: string, topic: string, ms: number): WakeUp;
  /** False while notices may be missed (the subscription is down): readers then poll. */
  live(): boolean;
  /** Hands a notice in; the query-api's Redis subscriber calls it. */
  notice(notice: CheckpointNotice): void;
}

export interface WakeUp {
  woken: Promise<void>;
  cancel(): void;
}

/** `live` says whether the subscription that hands notices in is up. */
export function createCheckpointWatch(schema: string, live: () => boolean): CheckpointWatch {
  const waiting = new Map<string, Set<() => void>>();
  const keyOf = (projection: string, topic: string): string => `${projection}\u0000${topic}`;
  return {
    next(projection, topic, ms) {
      const key = keyOf(projection, topic);
      const waiters = waiting.get(key) ?? new Set<() => void>();
      waiting.set(key, waiters);
      let wake = (): void => undefined;
      const woken = new Promise<void>((resolve) => {
        wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          if (waiters.size === 0 && waiting.get(key) === waiters) waiting.delete(key);
          resolve();
        };
      });
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
      return { woken, cancel: () => wake() };
    },
    live,
    notice(notice) {
      if (notice.schema !== schema) return;
      const waiters = waiting.get(keyOf(notice.projection, notice.topic));
      if (waiters) for (const wake of [...waiters]) wake();
    },
  };
}
