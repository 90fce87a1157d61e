import { encodeConsistencyToken, type CommandReply } from '@verity/core';
import { parseSnapshot, recall, rememberedOf, replyOf, snapshotRecord, type StreamSnapshot } from './stream-snapshot';

const snapshot = (sequence: number): StreamSnapshot => ({
  streamId: 'acme/bolts',
  version: 3,
  state: { onHand: 7 },
  lastHash: 'abc',
  sequence,
  recent: [],
});

describe('state records', () => {
  it('carry their sequence in a header beside the JSON snapshot', () => {
    const record = snapshotRecord(snapshot(4), 2);
    expect(record).toEqual({
      key: 'acme/bolts',
      partition: 2,
      value: JSON.stringify(snapshot(4)),
      headers: { verity_sequence: '4' },
    });
  });
});

describe('state records of a context with timers', () => {
  it("carry each timer's due time of the state in a header (null when none)", () => {
    const due = (state: unknown) => ((state as { onHand: number }).onHand > 5 ? new Date(1_000) : null);
    const never = () => null;
    expect(snapshotRecord(snapshot(4), 0, [due, never]).headers).toEqual({
      verity_sequence: '4',
      verity_due: '[1000,null]',
    });
  });
});

describe('remembered commands', () => {
  const topic = 'verity.things.events';
  const accepted: CommandReply = {
    status: 'accepted',
    commandId: 'c1',
    fingerprint: 'f1',
    streamId: 'acme/bolts',
    version: 4,
    events: [
      { type: 'verity.things.ThingsCounted', topic, partition: 2, offset: '17' },
      { type: 'verity.things.ThingsRemoved', topic, partition: 2, offset: '18' },
    ],
    consistencyToken: encodeConsistencyToken({ topic, offsets: { 2: '19' } }),
  };
  const rejected: CommandReply = {
    status: 'rejected',
    commandId: 'c2',
    fingerprint: 'f2',
    streamId: 'acme/bolts',
    version: 4,
    code: 'insufficient_things',
    reason: 'only 3 left',
    details: { available: 3 },
  };
  const at = '2026-05-01T12:00:00.000Z';

  it('give back the reply they were made from, accepted (with or without events) or rejected', () => {
    const none: CommandReply = {
      ...accepted,
      events: [],
      consistencyToken: encodeConsistencyToken({ topic, offsets: {} }),
    };
    for (const reply of [accepted, rejected, none])
      expect(replyOf(rememberedOf(reply, at), 'acme/bolts', topic)).toEqual(reply);
  });

  it('are a fraction of the reply they stand for', () => {
    expect(JSON.stringify(rememberedOf(accepted, at)).length).toBeLessThan(JSON.stringify(accepted).length * 0.75);
  });

  it('answer a repeat within the window and not after it', () => {
    const recent = [rememberedOf(accepted, at)];
    expect(recall(recent, 'c1', '2026-05-01T12:00:10.000Z', 10_000)).toBe(recent[0]);
    expect(recall(recent, 'c1', '2026-05-01T12:00:10.001Z', 10_000)).toBeUndefined();
    expect(recall(recent, 'other', at, 10_000)).toBeUndefined();
  });

  it('are read from snapshots written with whole replies', () => {
    const legacy = JSON.stringify({ ...snapshot(3), recent: [accepted] });
    const [read] = parseSnapshot(legacy).recent;
    expect(replyOf(read!, 'acme/bolts', topic)).toEqual(accepted);
  });
});
