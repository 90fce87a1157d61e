import { CommitWatch } from './rebuild-commit-watch';

const at = (partition: number, nextOffset: bigint) => ({ topic: 't', partition, nextOffset });
const ends = new Map([
  ['t/0', 101n],
  ['t/1', 51n],
]);

/** Whether `wait` has ended by the time the microtasks queued now have run. */
async function ended(waiting: Promise<void>): Promise<boolean> {
  let done = false;
  void waiting.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('a rebuild’s commit watch', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('ends a wait at the commit that reaches the ends last seen, not before', async () => {
    const watch = new CommitWatch(0n);
    watch.seen(ends);
    const waiting = watch.wait(100);
    watch.committedUpTo(at(0, 100n));
    expect(await ended(waiting)).toBe(false);
    watch.committedUpTo(at(1, 50n));
    expect(await ended(waiting)).toBe(true);
  });

  it('ends a wait at its timeout when the commits do not get there', async () => {
    const watch = new CommitWatch(0n);
    watch.seen(ends);
    const waiting = watch.wait(100);
    watch.committedUpTo(at(0, 100n));
    jest.advanceTimersByTime(99);
    expect(await ended(waiting)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await ended(waiting)).toBe(true);
  });

  it('does not wake before any ends are seen, nor go back on an older commit', async () => {
    const watch = new CommitWatch(0n);
    const waiting = watch.wait(100);
    watch.committedUpTo(at(0, 100n));
    watch.committedUpTo(at(1, 50n));
    expect(await ended(waiting)).toBe(false);
    watch.seen(ends);
    watch.committedUpTo(at(1, 10n));
    expect(await ended(watch.wait(100))).toBe(true);
  });

  it('wakes within the allowed lag', async () => {
    const watch = new CommitWatch(30n);
    watch.seen(ends);
    const waiting = watch.wait(100);
    watch.committedUpTo(at(0, 100n));
    expect(await ended(waiting)).toBe(false);
    watch.committedUpTo(at(1, 20n));
    expect(await ended(waiting)).toBe(true);
  });
});
