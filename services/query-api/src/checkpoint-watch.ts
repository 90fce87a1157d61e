import type { CheckpointNotice } from '@verity/events';

/**
 * Wakes readers waiting on a consistency token when the projector's checkpoint notices
 * (`checkpointsChannel`) show the offsets they wait for, instead of each polling PostgreSQL on
 * a timer. A notice wakes only the readers whose offsets it covers, so a busy projector does
 * not send every waiting reader back to PostgreSQL at each batch. Only notices of this
 * query-api's schema count: a rebuild's generation, built in a schema of its own, moves
 * checkpoints no reader here waits on.
 */
export interface CheckpointWatch {
  /**
   * A wake-up once notices show `projection`'s checkpoints of `topic` at or past `offsets`
   * (partition → offset), or after `ms`. Asked for before the checkpoint is read, so a notice
   * that comes while it is being read still counts; cancelled when the read shows it is not
   * needed.
   */
  next(projection: string, topic: string, offsets: Readonly<Record<number, string>>, ms: number): WakeUp;
  /**
   * Whether notices have shown `projection`'s checkpoints of `topic` at or past `offsets`. The
   * projector publishes a notice after its cache update, so what a notice covers is in the cache.
   */
  covers(projection: string, topic: string, offsets: Readonly<Record<number, string>>): boolean;
  /**
   * Whether a notice has named each of the partitions: then the checkpoints are at most the
   * notice in flight ahead of what notices showed, and a wait needs no read of PostgreSQL first.
   */
  knows(projection: string, topic: string, partitions: readonly number[]): boolean;
  /** False while notices may be missed (the subscription is down): readers then poll. */
  live(): boolean;
  /** Hands a notice in; the query-api's Redis subscriber calls it. */
  notice(notice: CheckpointNotice): void;
}

export interface WakeUp {
  woken: Promise<void>;
  cancel(): void;
}

interface Waiter {
  offsets: readonly (readonly [number, bigint])[];
  wake(): void;
}

/** `live` says whether the subscription that hands notices in is up. */
export function createCheckpointWatch(schema: string, live: () => boolean): CheckpointWatch {
  const waiting = new Map<string, Set<Waiter>>();
  /** The highest checkpoint a notice named, by projection and topic, then partition. */
  const reached = new Map<string, Map<number, bigint>>();
  const keyOf = (projection: string, topic: string): string => `${projection}\u0000${topic}`;
  const covered = (key: string, offsets: Waiter['offsets']): boolean => {
    const known = reached.get(key);
    return known !== undefined && offsets.every(([p, offset]) => (known.get(p) ?? -1n) >= offset);
  };
  const parsed = (offsets: Readonly<Record<number, string>>): Waiter['offsets'] =>
    Object.entries(offsets).map(([p, offset]) => [Number(p), BigInt(offset)] as const);
  return {
    next(projection, topic, offsets, ms) {
      const key = keyOf(projection, topic);
      const waiters = waiting.get(key) ?? new Set<Waiter>();
      waiting.set(key, waiters);
      let wake = (): void => undefined;
      const woken = new Promise<void>((resolve) => {
        wake = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0 && waiting.get(key) === waiters) waiting.delete(key);
          resolve();
        };
      });
      const timer = setTimeout(() => wake(), ms);
      const waiter: Waiter = {
        offsets: parsed(offsets),
        wake: () => wake(),
      };
      waiters.add(waiter);
      return { woken, cancel: () => wake() };
    },
    covers: (projection, topic, offsets) => covered(keyOf(projection, topic), parsed(offsets)),
    knows(projection, topic, partitions) {
      const known = reached.get(keyOf(projection, topic));
      return known !== undefined && partitions.every((p) => known.has(p));
    },
    live,
    notice(notice) {
      if (notice.schema !== schema) return;
      const key = keyOf(notice.projection, notice.topic);
      const known = reached.get(key) ?? new Map<number, bigint>();
      reached.set(key, known);
      const offset = BigInt(notice.offset);
      if ((known.get(notice.partition) ?? -1n) < offset) known.set(notice.partition, offset);
      const waiters = waiting.get(key);
      if (waiters) for (const waiter of [...waiters]) if (covered(key, waiter.offsets)) waiter.wake();
    },
  };
}
