import { isNoNewer, snapshotRecord, type StreamSnapshot } from './stream-snapshot';

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

  it('are passed over unread only when the snapshot held is as new or newer', () => {
    const headers = { verity_sequence: Buffer.from('4') };
    expect(isNoNewer(headers, snapshot(4))).toBe(true);
    expect(isNoNewer(headers, snapshot(5))).toBe(true);
    expect(isNoNewer(headers, snapshot(3))).toBe(false);
  });

  it('are read when nothing is held or they carry no sequence (written before the header existed)', () => {
    expect(isNoNewer({ verity_sequence: '4' }, undefined)).toBe(false);
    expect(isNoNewer({}, snapshot(9))).toBe(false);
    expect(isNoNewer(undefined, snapshot(9))).toBe(false);
  });
});
