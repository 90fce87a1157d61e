import type { EventMetadata } from '@verity/core';
import { chain } from '@verity/core';
import { verifyChain, type ChainLink } from './chain-verification';

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

/** A valid chain of `n` events at offsets 10, 11, ... */
function validChain(n: number): ChainLink[] {
  const links: ChainLink[] = [];
  for (let version = 1; version <= n; version++) {
    const value = Buffer.from(`payload ${version}`);
    const metadata = chain(
      links.at(-1)?.metadata.hash ?? '',
      { ...base, id: `c${version}:0`, streamVersion: version },
      value,
    );
    links.push({ offset: String(9 + version), metadata, value });
  }
  return links;
}

describe('verifyChain', () => {
  it('passes a valid chain and reports its last hash', () => {
    const links = validChain(4);
    expect(verifyChain(links)).toEqual({ ok: true, events: 4, lastVersion: 4, lastHash: links[3]!.metadata.hash });
  });

  it('takes a chain up from an anchor: a tail verifies from the hash before it, not from the start', () => {
    const links = validChain(5);
    const tail = links.slice(2);
    expect(verifyChain(tail, { version: 3, prevHash: links[1]!.metadata.hash })).toEqual({
      ok: true,
      events: 3,
      lastVersion: 5,
      lastHash: links[4]!.metadata.hash,
    });
    expect(verifyChain(tail)).toMatchObject({ ok: false, firstBreak: { kind: 'version_gap', expected: '1' } });
    expect(verifyChain(tail, { version: 3, prevHash: links[0]!.metadata.hash })).toMatchObject({
      ok: false,
      firstBreak: { kind: 'prev_hash_mismatch', position: 0, version: 3 },
    });
  });

  it('passes an empty stream', () => {
    expect(verifyChain([])).toEqual({ ok: true, events: 0, lastVersion: 0, lastHash: '' });
  });

  it('detects a copied event with a changed payload but the old hash', () => {
    const links = validChain(3);
    const copy = { offset: '13', metadata: links[1]!.metadata, value: Buffer.from('forged') };
    const report = verifyChain([...links, copy]);
    expect(report).toMatchObject({
      ok: false,
      events: 4,
      firstBreak: { kind: 'hash_mismatch', position: 3, version: 2, offset: '13', actual: links[1]!.metadata.hash },
    });
  });

  it('detects a copied event with changed metadata but the old hash', () => {
    const links = validChain(3);
    links[1] = { ...links[1]!, metadata: { ...links[1]!.metadata, actor: 'mallory' } };
    expect(verifyChain(links)).toMatchObject({
      ok: false,
      firstBreak: { kind: 'hash_mismatch', position: 1, version: 2, offset: '11' },
    });
  });

  it('detects a tampered value', () => {
    const links = validChain(3);
    links[2] = { ...links[2]!, value: Buffer.from('payload 300') };
    expect(verifyChain(links)).toMatchObject({
      ok: false,
      firstBreak: { kind: 'hash_mismatch', position: 2, version: 3, offset: '12' },
    });
  });

  it('detects an exact duplicate of an earlier event', () => {
    const links = validChain(3);
    expect(verifyChain([links[0]!, links[1]!, links[1]!, links[2]!])).toMatchObject({
      ok: false,
      firstBreak: { kind: 'duplicate_version', position: 2, version: 2, expected: '3', actual: '2' },
    });
  });

  it('detects a missing event in the middle', () => {
    const links = validChain(4);
    expect(verifyChain([links[0]!, links[2]!, links[3]!])).toMatchObject({
      ok: false,
      firstBreak: { kind: 'version_gap', position: 1, version: 3, offset: '12', expected: '2', actual: '3' },
    });
  });

  it('detects a missing first event', () => {
    const links = validChain(2);
    expect(verifyChain([links[1]!])).toMatchObject({
      ok: false,
      firstBreak: { kind: 'version_gap', position: 0, version: 2, expected: '1' },
    });
  });

  it('detects a reordered chain', () => {
    const links = validChain(3);
    expect(verifyChain([links[0]!, links[2]!, links[1]!])).toMatchObject({
      ok: false,
      firstBreak: { kind: 'out_of_order', position: 1, version: 3, expected: '2', actual: '3' },
    });
  });

  it('detects a replaced and rehashed event at the next link', () => {
    const links = validChain(3);
    const value = Buffer.from('rewritten');
    links[1] = {
      offset: '11',
      metadata: chain(links[0]!.metadata.hash, { ...base, id: 'c2:0', streamVersion: 2 }, value),
      value,
    };
    expect(verifyChain(links)).toMatchObject({
      ok: false,
      firstBreak: {
        kind: 'prev_hash_mismatch',
        position: 2,
        version: 3,
        expected: links[1].metadata.hash,
        actual: links[2]!.metadata.prevHash,
      },
    });
  });

  it('detects a first event that points at a predecessor', () => {
    const value = Buffer.from('x');
    const metadata = chain('f'.repeat(64), base, value);
    expect(verifyChain([{ metadata, value }])).toEqual({
      ok: false,
      events: 1,
      firstBreak: { kind: 'prev_hash_mismatch', position: 0, version: 1, expected: '', actual: 'f'.repeat(64) },
    });
  });
});
