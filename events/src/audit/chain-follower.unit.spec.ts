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
  it('follows interleaved streams and sums up the counted span of each', () => {
    const a = links('acme/A', 4);
    const b = links('acme/B', 2);
    const follower = new ChainFollower();
    follower.follow('acme/A', a[0]!, false);
    follower.follow('acme/B', b[0]!, true);
    follower.follow('acme/A', a[1]!, false);
    follower.follow('acme/A', a[2]!, true);
    follower.follow('acme/B', b[1]!, true);
    follower.follow('acme/A', a[3]!, true);
    expect(follower.summaries()).toEqual([
      {
        stream: 'acme/A',
        events: 2,
        firstVersion: 3,
        anchorPrevHash: a[1]!.metadata.hash,
        lastVersion: 4,
        lastHash: a[3]!.metadata.hash,
        verified: true,
      },
      {
        stream: 'acme/B',
        events: 2,
        firstVersion: 1,
        anchorPrevHash: '',
        lastVersion: 2,
        lastHash: b[1]!.metadata.hash,
        verified: true,
      },
    ]);
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
