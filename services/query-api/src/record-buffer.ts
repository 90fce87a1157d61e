import type { Counter } from 'prom-client';
import type { Logger } from '@verity/events';

/** Why a record was not recorded: the buffer was full, or it was still held when the service stopped. */
export type UnrecordedReason = 'buffer_full' | 'shutdown';

export interface RecordBufferOptions<R> {
  /** Most records held that the sink has not taken yet, those being sent included. Past it, new ones are dropped. */
  capacity: number;
  /** Records sent at once; a full batch is sent without waiting for the interval. */
  batchSize: number;
  /** The longest a record waits before it is sent (when the sink is up). */
  flushEveryMs: number;
  /** Drops and sink failures are logged at most once per this interval, with their count. */
  logEveryMs: number;
  /** Takes a batch; a rejection keeps the batch for the next turn (the sink must accept a record twice). */
  send(batch: readonly R[]): Promise<void>;
  /** Counts every record dropped, by reason. */
  unrecorded: Counter<'reason'>;
  logger: Logger;
  /** What the records are, in log lines: `alias resolutions`. */
  what: string;
  /** Default the system clock. */
  now?: () => number;
}

export interface RecordBuffer<R> {
  /** Never waits and never throws: the record is held for the sink, or counted as unrecorded. */
  add(record: R): void;
  /** Records held: waiting and being sent. */
  size(): number;
  start(): void;
  /** Sends what is held until it is empty, the sink fails or `timeoutMs` passes; the rest is counted as unrecorded. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * A bounded buffer between a hot path and a slower sink: `add` costs an array push, and batches
 * go to the sink off the caller's path, one send at a time. A failed send keeps its records
 * (still counted against `capacity`) for the next turn, so an outage shorter than the buffer
 * loses nothing; a longer one drops the newest records, each counted, the drops logged once per
 * `logEveryMs`.
 */
export function createRecordBuffer<R>(options: RecordBufferOptions<R>): RecordBuffer<R> {
  const { capacity, batchSize, unrecorded, logger, what } = options;
  const now = options.now ?? Date.now;
  let waiting: R[] = [];
  let sending: readonly R[] = [];
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Immediate | undefined;
  let droppedSinceLog = 0;
  let failureSinceLog: unknown;
  let lastLog = Number.NEGATIVE_INFINITY;

  const report = (force = false): void => {
    if (droppedSinceLog === 0 && failureSinceLog === undefined) return;
    if (!force && now() - lastLog < options.logEveryMs) return;
    logger.warn(
      { dropped: droppedSinceLog, held: waiting.length + sending.length, capacity, err: failureSinceLog },
      `${what}: ${droppedSinceLog} not recorded since the last report${failureSinceLog === undefined ? '' : '; the sink is failing'}`,
    );
    droppedSinceLog = 0;
    failureSinceLog = undefined;
    lastLog = now();
  };

  /**
   * One send after another, a batch each: of full batches only, or (`all`, the interval's turn)
   * of whatever waits. A failure puts its batch back in front and ends the turn.
   */
  async function drain(all: boolean): Promise<void> {
    while (waiting.length > 0 && (all || waiting.length >= batchSize)) {
      sending = waiting.slice(0, batchSize);
      waiting = waiting.slice(sending.length);
      try {
        await options.send(sending);
      } catch (error) {
        waiting = [...sending, ...waiting];
        failureSinceLog = error;
        return;
      } finally {
        sending = [];
      }
    }
  }

  const flush = (all: boolean): Promise<void> => {
    flushing ??= drain(all).finally(() => {
      flushing = undefined;
      report();
    });
    return flushing;
  };

  return {
    add(record) {
      if (waiting.length + sending.length >= capacity) {
        unrecorded.inc({ reason: 'buffer_full' });
        droppedSinceLog += 1;
        return;
      }
      waiting.push(record);
      // A full batch goes now, but off this call: the caller is answering a request.
      if (waiting.length >= batchSize && !flushing && !soon)
        soon = setImmediate(() => {
          soon = undefined;
          void flush(false);
        });
    },
    size: () => waiting.length + sending.length,
    start() {
      timer ??= setInterval(() => {
        void flush(true);
        report();
      }, options.flushEveryMs);
      // The interval alone keeps no process alive: stop() flushes what is held.
      timer.unref();
    },
    async stop(timeoutMs = 5_000) {
      clearInterval(timer);
      timer = undefined;
      if (soon) clearImmediate(soon);
      soon = undefined;
      const deadline = now() + timeoutMs;
      for (;;) {
        const held = waiting.length + sending.length;
        if (held === 0 || now() >= deadline) break;
        let timeout: NodeJS.Timeout | undefined;
        await Promise.race([
          (flushing ?? Promise.resolve()).then(() => flush(true)),
          new Promise((resolve) => (timeout = setTimeout(resolve, deadline - now()))),
        ]);
        clearTimeout(timeout);
        // The sink took nothing: it is down, and stopping does not wait for it.
        if (waiting.length + sending.length >= held) break;
      }
      const left = waiting.length + sending.length;
      if (left > 0) {
        unrecorded.inc({ reason: 'shutdown' }, left);
        droppedSinceLog += left;
        waiting = [];
      }
      report(true);
    },
  };
}
