import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisTokenBuckets } from './redis-token-bucket';

// The project's own Redis, as `verity infra up` starts it.
const redis = new Redis('redis://127.0.0.1:6380');
const prefix = `t${randomUUID().slice(0, 8)}:bucket`;

/** Counts the round trips of the bucket script (defined on the client by `redisTokenBuckets`); Redis itself answers them. */
function countedRoundTrips(client: Redis): () => number {
  const spy = jest.spyOn(client as unknown as Record<string, (...args: unknown[]) => unknown>, 'verityTakeTokens');
  return () => spy.mock.calls.length;
}

beforeAll(() => redis.ping());
afterEach(() => jest.restoreAllMocks());
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('token buckets leased from Redis', () => {
  it('a busy key costs a round trip every few requests, and the shared bucket counts every one', async () => {
    const take = redisTokenBuckets(redis, 100);
    const roundTrips = countedRoundTrips(redis);
    const key = `${prefix}:busy`;
    // A window of 10^9 ms: no token comes back while the test runs, however slow the machine.
    const rule = { capacity: 500, windowMs: 1e9 };
    const answers = [];
    for (let i = 0; i < 20; i += 1)
      answers.push(...(await Promise.all(Array.from({ length: 10 }, () => take(key, rule)))));
    expect(answers.every((a) => a.allowed)).toBe(true);
    expect(roundTrips()).toBeLessThan(50);
    const left = Number(await redis.hget(key, 'tokens'));
    // Taken from the shared bucket: the 200 requests and at most one unspent lease (10 tokens).
    expect(left).toBeLessThanOrEqual(300);
    expect(left).toBeGreaterThanOrEqual(300 - 10);
  });

  it('two instances together never let more through than the bucket holds', async () => {
    const other = new Redis('redis://127.0.0.1:6380');
    await other.ping();
    try {
      const [a, b] = [redisTokenBuckets(redis, 100), redisTokenBuckets(other, 100)];
      const key = `${prefix}:shared`;
      // No refill while the test runs: what is allowed is what the bucket held.
      const rule = { capacity: 100, windowMs: 1e9 };
      const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => (i % 2 ? a : b)(key, rule)));
      const allowed = answers.filter((x) => x.allowed).length;
      expect(allowed).toBeLessThanOrEqual(100);
      expect(allowed).toBeGreaterThanOrEqual(95);
      expect(answers.filter((x) => !x.allowed).every((x) => x.msUntilToken > 0)).toBe(true);
    } finally {
      other.disconnect();
    }
  });

  it('an empty bucket refuses here until its next token is due, without asking Redis again', async () => {
    const take = redisTokenBuckets(redis, 100);
    const key = `${prefix}:flood`;
    const rule = { capacity: 5, windowMs: 60_000 };
    for (let i = 0; i < 5; i += 1) expect((await take(key, rule)).allowed).toBe(true);
    const roundTrips = countedRoundTrips(redis);
    const before = roundTrips();
    const refused = await Promise.all(Array.from({ length: 50 }, () => take(key, rule)));
    expect(refused.every((r) => !r.allowed && r.msUntilToken > 0)).toBe(true);
    expect(roundTrips() - before).toBeLessThanOrEqual(1);
  });
});
