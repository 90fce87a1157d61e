import type { CommandEnvelope } from '@verity/core';
import type { DecidedBatch, Decision } from './decide-batch';
import { PartitionLane } from './partition-lane';
import type { StreamSnapshot } from './stream-snapshot';

const snapshot = (streamId: string, sequence: number): StreamSnapshot => ({
  streamId,
  version: sequence,
  state: {},
  lastHash: '',
  sequence,
  recent: [],
});

const decision = (commandId: string, streamId: string): Decision => ({
  kind: 'decided',
  envelope: { commandId, streamId } as CommandEnvelope,
  fingerprint: 'f',
  version: 1,
  events: [],
});

const batch = (snapshots: StreamSnapshot[], decisions: Decision[]): DecidedBatch => ({
  commands: decisions,
  events: [],
  snapshots: new Map(snapshots.map((s) => [s.streamId, s])),
  deadLetters: [],
});

describe('a partition lane', () => {
  it('answers with what was staged, else with the committed table', () => {
    const lane = new PartitionLane(10n);
    const committed = new Map([
      ['a', snapshot('a', 1)],
      ['b', snapshot('b', 1)],
    ]);
    lane.stage(batch([snapshot('a', 2)], [decision('c1', 'a')]));
    expect(lane.over(committed).get('a')?.sequence).toBe(2);
    expect(lane.over(committed).get('b')?.sequence).toBe(1);
    expect(lane.inFlight.get('c1')?.envelope.streamId).toBe('a');
  });

  it('forgets a committed batch unless a later batch staged over it, and moves the committed offset on', () => {
    const lane = new PartitionLane(10n);
    const first = batch([snapshot('a', 2), snapshot('b', 2)], [decision('c1', 'a'), decision('c2', 'b')]);
    const second = batch([snapshot('a', 3)], [decision('c3', 'a')]);
    lane.stage(first);
    lane.stage(second);
    const settledB = { ...snapshot('b', 2), recent: [{ commandId: 'c2', fingerprint: 'f', at: '', version: 1 }] };
    lane.committed(first, 14n, [{ ...snapshot('a', 2), recent: [] }, settledB]);

    // The store may have been read before the commit: the settled snapshot stands in for it.
    const stale = new Map([['b', snapshot('b', 1)]]);
    expect(lane.over(stale).get('a')?.sequence).toBe(3);
    expect(lane.over(stale).get('b')).toBe(settledB);
    expect([...lane.inFlight.keys()]).toEqual(['c3']);
    expect(lane.committedNext).toBe(15n);

    // Once the next batch is decided, the store holds what committed before it was read.
    lane.stage(batch([], []));
    const stored = new Map([['b', settledB]]);
    expect(lane.over(stored).get('b')).toBe(settledB);
    expect(lane.over(new Map<string, StreamSnapshot>()).get('b')).toBeUndefined();
  });
});
