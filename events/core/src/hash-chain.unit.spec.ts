import { canonicalMetadata, chain, eventHash, unchained } from './hash-chain';
import type { EventMetadata } from './event-metadata';

const metadata: EventMetadata = {
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

describe('hash chain', () => {
  it('canonical metadata does not depend on key order', () => {
    const reversed = Object.fromEntries(Object.entries(metadata).reverse()) as unknown as EventMetadata;
    expect(canonicalMetadata(reversed)).toBe(canonicalMetadata(metadata));
  });

  it('changes when the previous hash, the metadata or the value changes', () => {
    const value = Buffer.from([1, 2, 3]);
    const base = eventHash('', metadata, value);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash('x', metadata, value)).not.toBe(base);
    expect(eventHash('', { ...metadata, actor: 'mallory' }, value)).not.toBe(base);
    expect(eventHash('', metadata, Buffer.from([1, 2, 4]))).not.toBe(base);
  });

  it('hashes an event without onBehalfOf exactly as before the attribute existed', () => {
    // Computed before onBehalfOf was added: every event already in a log must still verify.
    const BEFORE_ON_BEHALF_OF = '5c9fa612de5c8b6d6f2d78908306e87d8f69007e1eb6dbc5f79b77fccbba877b';
    expect(eventHash('', metadata, Buffer.from([1, 2, 3]))).toBe(BEFORE_ON_BEHALF_OF);
    expect(eventHash('', { ...metadata, onBehalfOf: undefined }, Buffer.from([1, 2, 3]))).toBe(BEFORE_ON_BEHALF_OF);
    expect(canonicalMetadata(metadata)).not.toContain('onBehalfOf');
  });

  it('covers onBehalfOf when present: naming another person, or dropping it, changes the hash', () => {
    const value = Buffer.from([1, 2, 3]);
    const onBehalf = eventHash('', { ...metadata, onBehalfOf: 'erp:jdoe' }, value);
    expect(onBehalf).not.toBe(eventHash('', metadata, value));
    expect(eventHash('', { ...metadata, onBehalfOf: 'erp:mallory' }, value)).not.toBe(onBehalf);
  });

  it('links each event to the one before', () => {
    const first = chain('', metadata, Buffer.from('a'));
    const second = chain(first.hash, { ...metadata, streamVersion: 2 }, Buffer.from('b'));
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(eventHash(first.hash, unchained(second), Buffer.from('b')));
  });
});
