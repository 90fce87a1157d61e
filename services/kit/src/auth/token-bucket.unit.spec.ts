import { memoryTokenBuckets, takeToken, type BucketRule, type BucketState, type Take } from './token-bucket';

// 4 requests per 2 s: one token every 500 ms.
const rule: BucketRule = { capacity: 4, windowMs: 2000 };

/** Takes one token at each time (ms), carrying the bucket from one to the next. */
function takesAt(times: number[], from?: BucketState): Take[] {
  let state = from;
  return times.map((now) => {
    const next = takeToken(rule, state, now);
    state = next.state;
    return next.take;
  });
}

describe('takeToken', () => {
  it('lets a burst spend a full bucket at once, then refuses', () => {
    expect(takesAt([0, 0, 0, 0, 0]).map((t) => [t.allowed, t.remaining])).toEqual([
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
  });

  it('says when the next token comes and when the bucket is full again', () => {
    const [first] = takesAt([0]);
    expect(first).toEqual({ allowed: true, remaining: 3, msUntilToken: 0, msUntilFull: 500 });
    const taken = takesAt([0, 0, 0, 0, 100]);
    expect(taken[3]).toEqual({ allowed: true, remaining: 0, msUntilToken: 500, msUntilFull: 2000 });
    // 100 ms later a fifth of a token is back: 400 ms to the next, 1900 ms to full.
    expect(taken[4]).toEqual({ allowed: false, remaining: 0, msUntilToken: 400, msUntilFull: 1900 });
  });

  it('refills continuously: one token per window / capacity, never beyond the capacity', () => {
    // Empty at 0; at 499 ms not yet a whole token, at 500 ms one; after an idle hour, full again.
    const drained: BucketState = { tokens: 0, atMs: 0 };
    expect(takesAt([499], drained)[0]!.allowed).toBe(false);
    expect(takesAt([500, 500], drained).map((t) => t.allowed)).toEqual([true, false]);
    expect(takesAt([1000, 1000, 1000], drained).map((t) => t.allowed)).toEqual([true, true, false]);
    const idle = takesAt([3_600_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000], drained);
    expect(idle.map((t) => t.allowed)).toEqual([true, true, true, true, false]);
  });

  it('treats a clock that went back as no time passed', () => {
    expect(takesAt([0], { tokens: 0.5, atMs: 1000 })[0]).toMatchObject({ allowed: false, msUntilToken: 250 });
  });
});

describe('memoryTokenBuckets', () => {
  it('keeps one bucket per key, refilled on its clock', () => {
    let now = 0;
    const take = memoryTokenBuckets(100, () => now);
    const one: BucketRule = { capacity: 2, windowMs: 1000 };
    expect([take('a', one), take('a', one), take('a', one)].map((t) => t.allowed)).toEqual([true, true, false]);
    expect(take('b', one).allowed).toBe(true);
    now = 500;
    expect([take('a', one), take('a', one)].map((t) => t.allowed)).toEqual([true, false]);
  });

  it('forgets the least recently used bucket past its size: it is full again', () => {
    const take = memoryTokenBuckets(2, () => 0);
    const one: BucketRule = { capacity: 1, windowMs: 60_000 };
    expect(take('a', one).allowed).toBe(true);
    expect(take('a', one).allowed).toBe(false);
    take('b', one);
    take('c', one);
    expect(take('a', one).allowed).toBe(true);
  });
});
