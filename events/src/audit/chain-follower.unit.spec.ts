import { chain, type EventMetadata } from '@verity/core';
import { ChainFollower } from './chain-follower';
import type { ChainLink } from './chain-verification';

const base: EventMetadata = {
  id: 'c:0',
  type: 'verity.inventory.StockReceived',
  source: '/verity/inventory',
  time: '2026-11-23T10:00:00.000Z',
  subject: 'acme/SKU-1',
  streamVersion: 1,
  schemaVersion: 1,
  tenant: 'acme',
  actor: 'alice',
  correlationId: 'c',
  causationId: 'c',
  sourceSystem: 'api',
  sourceTimestamp: '2026-11-23T10:00:00.000Z',
};

function links(subject: string, n: number): ChainLink[] {
  const made: ChainLink[] = [];
  for (let version = 1; version <= n; version++) {
    const value = Buffer.from(`${subject} ${version}`);
    const prev = made.at(-1)?.metadata.hash ?? '';
    made.push({
      offset: String(version),
      metadata: chain(prev, { ...base, subject, streamVersion: version }, value),
      value,
    });
  }
  return made;
}

describe('ChainFollower', () => {
  it('follows interleaved streams from their genesis and sums up each', () => {
    const a = links('acme/A', 2);
    const b = links('acme/B', 2);
    const follower = new ChainFollower();
    follower.follow('acme/A', a[0]!);
    follower.follow('acme/B', b[0]!);
    follower.follow('acme/A', a[1]!);
    follower.follow('acme/B', b[1]!);
    expect(follower.summaries()).toEqual([
      {
        stream: 'acme/A',
        events: 2,
        firstVersion: 1,
        anchorPrevHash: '',
        verifiedFrom: 1,
        lastVersion: 2,
        lastHash: a[1]!.metadata.hash,
        verified: true,
      },
      {
        stream: 'acme/B',
        events: 2,
        firstVersion: 1,
        anchorPrevHash: '',
        verifiedFrom: 1,
        lastVersion: 2,
        lastHash: b[1]!.metadata.hash,
        verified: true,
      },
    ]);
  });

  it('takes a stream up at the first event of a read begun mid-log, and says from which version', () => {
    const a = links('acme/A', 4);
    const b = links('acme/B', 2);
    const follower = new ChainFollower();
    expect(follower.follow('acme/A', a[2]!, 'here')).toBeUndefined();
    expect(follower.follow('acme/B', b[0]!, 'here')).toBeUndefined();
    expect(follower.follow('acme/A', a[3]!, 'here')).toBeUndefined();
    expect(follower.summaries()).toEqual([
      {
        stream: 'acme/A',
        events: 2,
        firstVersion: 3,
        anchorPrevHash: a[1]!.metadata.hash,
        verifiedFrom: 3,
        lastVersion: 4,
        lastHash: a[3]!.metadata.hash,
        verified: true,
      },
      expect.objectContaining({ stream: 'acme/B', firstVersion: 1, verifiedFrom: 1, verified: true }),
    ]);
  });

  it('still checks the first event of a mid-log read against its own prev hash, and a version 1 against none', () => {
    const a = links('acme/A', 3);
    const follower = new ChainFollower();
    expect(follower.follow('acme/A', { ...a[1]!, value: Buffer.from('forged') }, 'here')).toMatchObject({
      kind: 'hash_mismatch',
      version: 2,
    });
    // A forged first event rehashed onto a made-up prev hash: the next event does not point at it.
    const made = chain('f'.repeat(64), { ...base, subject: 'acme/C', streamVersion: 2 }, Buffer.from('x'));
    const c = links('acme/C', 3);
    const other = new ChainFollower();
    expect(other.follow('acme/C', { metadata: made, value: Buffer.from('x') }, 'here')).toBeUndefined();
    expect(other.follow('acme/C', c[2]!, 'here')).toMatchObject({ kind: 'prev_hash_mismatch', version: 3 });
    // A version 1 pointing at a hash is no genesis, wherever the read began.
    const genesis = chain('f'.repeat(64), { ...base, subject: 'acme/D', streamVersion: 1 }, Buffer.from('y'));
    expect(new ChainFollower().follow('acme/D', { metadata: genesis, value: Buffer.from('y') }, 'here')).toMatchObject({
      kind: 'prev_hash_mismatch',
      version: 1,
    });
  });

  it('from the genesis, reports a stream whose first versions are missing, verified from version 1', () => {
    const a = links('acme/A', 3);
    const follower = new ChainFollower();
    expect(follower.follow('acme/A', a[2]!)).toMatchObject({ kind: 'version_gap', expected: '1', actual: '3' });
    expect(follower.summaries()[0]).toMatchObject({ firstVersion: 3, verifiedFrom: 1, verified: false });
  });

  it('takes a stream up from an anchor, and refuses a tail that does not continue it', () => {
    const a = links('acme/A', 3);
    const anchored = new ChainFollower(new Map([['acme/A', { version: 2, prevHash: a[0]!.metadata.hash }]]));
    expect(anchored.follow('acme/A', a[1]!)).toBeUndefined();
    expect(anchored.follow('acme/A', a[2]!)).toBeUndefined();
    const wrong = new ChainFollower(new Map([['acme/A', { version: 2, prevHash: 'f00' }]]));
    expect(wrong.follow('acme/A', a[1]!)).toMatchObject({ kind: 'prev_hash_mismatch', version: 2 });
  });

  it('keeps the first break of a stream with changed value bytes and goes on from there', () => {
    const a = links('acme/A', 3);
    const follower = new ChainFollower();
    follower.follow('acme/A', a[0]!);
    expect(follower.follow('acme/A', { ...a[1]!, value: Buffer.from('forged') })).toMatchObject({
      kind: 'hash_mismatch',
      version: 2,
      offset: '2',
    });
    expect(follower.follow('acme/A', a[2]!)).toBeUndefined();
    expect(follower.summaries()[0]).toMatchObject({
      events: 3,
      verified: false,
      firstBreak: { kind: 'hash_mismatch', version: 2, actual: a[1]!.metadata.hash },
    });
  });

  it('reports a missing event as a gap', () => {
    const a = links('acme/A', 3);
    const follower = new ChainFollower();
    follower.follow('acme/A', a[0]!);
    expect(follower.follow('acme/A', a[2]!)).toMatchObject({ kind: 'version_gap', expected: '2', actual: '3' });
  });
});
