import { planTopicRange, type TopicOffsetsLookup, type TopicPosition } from './topic-range';

/**
 * A topic of three partitions, each holding records at 1 000 ms apart from t=0: partition p's
 * offset n has timestamp n * 1000, from offset `low` (older records deleted) to `high`.
 */
function fakeLookup(): TopicOffsetsLookup & { timeLookups: number[] } {
  const partitions = [
    { partition: 0, low: '0', high: '100' },
    { partition: 1, low: '10', high: '50' },
    { partition: 2, low: '0', high: '0' },
  ];
  const timeLookups: number[] = [];
  return {
    timeLookups,
    watermarks: () => Promise.resolve(partitions),
    offsetsForTime: (ms) => {
      timeLookups.push(ms);
      // As the broker answers: the first offset at or after the time, the high watermark past the last record.
      return Promise.resolve(
        new Map(
          partitions.map(({ partition, low, high }) => {
            const first = BigInt(Math.ceil(ms / 1000));
            const offset = first < BigInt(low) ? BigInt(low) : first > BigInt(high) ? BigInt(high) : first;
            return [partition, offset];
          }),
        ),
      );
    },
  };
}

const time = (ms: number): TopicPosition => ({ kind: 'time', ms });
const offset = (n: number): TopicPosition => ({ kind: 'offset', offset: BigInt(n) });

describe('planTopicRange', () => {
  it('starts each partition at the first record at or after --from, not at its start', async () => {
    const lookup = fakeLookup();
    const ranges = await planTopicRange(lookup, time(40_500), { kind: 'end' });
    expect(ranges).toEqual(
      new Map([
        [0, { start: 41n, end: 100n, fromLogStart: false }],
        [1, { start: 41n, end: 50n, fromLogStart: false }],
      ]),
    );
    // The records the read costs: those in range, not the 140 the partitions hold.
    const toRead = [...ranges.values()].reduce((sum, r) => sum + (r.end - r.start), 0n);
    expect(toRead).toBe(68n);
    expect(lookup.timeLookups).toEqual([40_500]);
  });

  it('stops each partition at the first record at or after --to, and at the end it has now', async () => {
    const ranges = await planTopicRange(fakeLookup(), time(20_000), time(30_000));
    expect(ranges).toEqual(
      new Map([
        [0, { start: 20n, end: 30n, fromLogStart: false }],
        [1, { start: 20n, end: 30n, fromLogStart: false }],
      ]),
    );
    const future = await planTopicRange(fakeLookup(), time(90_000), time(5_000_000));
    expect(future).toEqual(new Map([[0, { start: 90n, end: 100n, fromLogStart: false }]]));
  });

  it('marks a range that begins at the partition start, whatever the position named', async () => {
    expect(await planTopicRange(fakeLookup(), { kind: 'start' }, time(15_000))).toEqual(
      new Map([
        [0, { start: 0n, end: 15n, fromLogStart: true }],
        [1, { start: 10n, end: 15n, fromLogStart: true }],
      ]),
    );
    // Before the oldest record kept: partition 1 starts at its low watermark.
    expect((await planTopicRange(fakeLookup(), time(0), { kind: 'end' })).get(1)).toEqual({
      start: 10n,
      end: 50n,
      fromLogStart: true,
    });
  });

  it('takes offsets as given in every partition, clamped to what each holds, without a time lookup', async () => {
    const lookup = fakeLookup();
    expect(await planTopicRange(lookup, offset(5), offset(60))).toEqual(
      new Map([
        [0, { start: 5n, end: 60n, fromLogStart: false }],
        [1, { start: 10n, end: 50n, fromLogStart: true }],
      ]),
    );
    expect(lookup.timeLookups).toEqual([]);
  });

  it("plans only the partitions asked for (a stream's)", async () => {
    expect(await planTopicRange(fakeLookup(), time(45_000), { kind: 'end' }, [1])).toEqual(
      new Map([[1, { start: 45n, end: 50n, fromLogStart: false }]]),
    );
    expect(await planTopicRange(fakeLookup(), { kind: 'start' }, { kind: 'end' }, [2])).toEqual(new Map());
  });
});
