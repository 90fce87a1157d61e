import { appliedOffsets, lagOf, totalOffsets } from './rebuild-lag';

const at = (topic: string, partition: number, nextOffset: bigint) => ({ topic, partition, nextOffset });

describe('a rebuild’s position', () => {
  const ends = new Map([
    ['t/0', 2n],
    ['t/1', 0n],
    ['t/2', 0n],
  ]);

  it('counts a one-event log in one of three partitions as behind until it is applied', () => {
    // Offset 0 the event, 1 its transaction's marker; the other partitions are empty.
    expect(lagOf([], ends)).toBe(1n);
    expect(lagOf([at('t', 0, 1n)], ends)).toBe(0n);
    expect(appliedOffsets([at('t', 0, 1n)], ends)).toBe(1n);
    expect(totalOffsets(ends)).toBe(2n);
  });

  it('sums what each partition has left past its last marker, whatever the others hold', () => {
    const busy = new Map([
      ['t/0', 1_001n],
      ['t/1', 501n],
      ['u/0', 0n],
    ]);
    expect(lagOf([at('t', 0, 400n), at('t', 1, 500n)], busy)).toBe(600n);
    expect(lagOf([at('t', 0, 1_000n), at('t', 1, 500n)], busy)).toBe(0n);
  });

  it('counts a checkpoint no further than its partition’s end', () => {
    expect(appliedOffsets([at('t', 0, 5n)], new Map([['t/0', 3n]]))).toBe(3n);
    expect(lagOf([at('t', 0, 5n)], new Map([['t/0', 3n]]))).toBe(0n);
  });
});
