import type { Redis } from 'ioredis';

interface Waiting {
  keys: string[];
  settlers: Array<{ resolve(value: string | null): void; reject(error: unknown): void }>;
}

/** The reads of each client asked for in the current event-loop turn, not sent yet. */
const waitingByClient = new WeakMap<Redis, Waiting>();

function send(redis: Redis, waiting: Waiting): void {
  waitingByClient.delete(redis);
  const { keys, settlers } = waiting;
  const values: Promise<Array<string | null>> =
    keys.length === 1 ? redis.get(keys[0]!).then((value) => [value]) : redis.mget(keys);
  values.then(
    (found) => settlers.forEach((s, i) => s.resolve(found[i] ?? null)),
    (error: unknown) => settlers.forEach((s) => s.reject(error)),
  );
}

/**
 * `GET key`, sent together with the other reads of the same client asked for in this event-loop
 * turn as one `MGET` after the turn's I/O callbacks (setImmediate). A server answering many
 * requests at once then writes one command and reads one reply for all of them: each command
 * costs a write to the socket and a wake-up of Redis, which on a busy machine cost more than the
 * read itself. A failure fails every read of its batch, as it would have failed each alone.
 */
export function batchedGet(redis: Redis, key: string): Promise<string | null> {
  let waiting = waitingByClient.get(redis);
  if (!waiting) {
    const created: Waiting = { keys: [], settlers: [] };
    waitingByClient.set(redis, created);
    setImmediate(() => send(redis, created));
    waiting = created;
  }
  waiting.keys.push(key);
  return new Promise((resolve, reject) => waiting.settlers.push({ resolve, reject }));
}
