import { streamPartition } from './stream-partition';

describe('streamPartition', () => {
  // murmur2 results from Kafka's own UtilsTest.testMurmur2; Java picks (h & 0x7fffffff) % n.
  const javaMurmur2: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];

  it.each(javaMurmur2)('places %s where the Java client does', (key, hash) => {
    for (const partitions of [1, 3, 7, 12, 1000]) {
      expect(streamPartition(key, partitions)).toBe((hash & 0x7fffffff) % partitions);
    }
  });
});
