import { EVENT_HEADERS, fromHeaders, toHeaders, type ChainedEventMetadata, type EventMetadata } from './event-metadata';
import { UndecodableRecordError } from './errors';
import { chain, eventHash, unchained } from './hash-chain';

const metadata: ChainedEventMetadata = {
  id: 'cmd-1:0',
  type: 'verity.inventory.StockReceived',
  source: '/verity/inventory',
  time: '2026-11-23T10:00:00.000Z',
  subject: 'acme/SKU-1',
  streamVersion: 7,
  schemaVersion: 1,
  tenant: 'acme',
  actor: 'alice',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  sourceSystem: 'netsuite',
  sourceTimestamp: '2026-11-23T09:59:00.000Z',
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

/** Headers as kafkajs hands them to a consumer: Buffers. */
const asReceived = (headers: ReturnType<typeof toHeaders>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]));

describe('CloudEvents header mapping', () => {
  it('writes the binary-mode attributes and Verity extensions', () => {
    const headers = toHeaders(metadata);
    expect(headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: 'cmd-1:0',
      ce_type: 'verity.inventory.StockReceived',
      ce_source: '/verity/inventory',
      ce_subject: 'acme/SKU-1',
      ce_time: '2026-11-23T10:00:00.000Z',
      ce_streamversion: '7',
      ce_tenant: 'acme',
      ce_prevhash: 'a'.repeat(64),
      ce_hash: 'b'.repeat(64),
      'content-type': 'application/avro',
    });
    // CloudEvents extension names: lowercase letters and digits only.
    for (const name of Object.keys(headers).filter((h) => h.startsWith('ce_')))
      expect(name.slice(3)).toMatch(/^[a-z0-9]+$/);
  });

  it('lists in EVENT_HEADERS exactly the headers it writes, ce_onbehalfof as the optional one', () => {
    const { prevHash: _prev, hash: _hash, ...rest } = metadata;
    const acting = toHeaders(chain('', { ...rest, onBehalfOf: 'erp:jdoe' }, Buffer.from('payload')));
    expect(Object.keys(toHeaders(metadata)).sort()).toEqual([...EVENT_HEADERS.required].sort());
    expect(Object.keys(acting).sort()).toEqual([...EVENT_HEADERS.required, ...EVENT_HEADERS.optional].sort());
    expect(EVENT_HEADERS.optional).toEqual(['ce_onbehalfof']);
  });

  it('reads back exactly what it wrote, numbers as numbers', () => {
    expect(fromHeaders(asReceived(toHeaders(metadata)))).toEqual(metadata);
  });

  it('writes no ce_onbehalfof header for an event without onBehalfOf, and reads none back', () => {
    const headers = toHeaders(metadata);
    expect(Object.keys(headers)).not.toContain('ce_onbehalfof');
    expect(Object.keys(fromHeaders(asReceived(headers)))).not.toContain('onBehalfOf');
  });

  it('round-trips onBehalfOf through ce_onbehalfof, and the chain still verifies', () => {
    const { prevHash: _prev, hash: _hash, ...rest } = metadata;
    const unhashed: EventMetadata = { ...rest, actor: 'erp-connector', onBehalfOf: 'erp:jdoe' };
    const value = Buffer.from('payload');
    const chained = chain('a'.repeat(64), unhashed, value);
    const headers = toHeaders(chained);
    expect(headers.ce_onbehalfof).toBe('erp:jdoe');
    expect(headers.ce_actor).toBe('erp-connector');

    const read = fromHeaders(asReceived(headers));
    expect(read).toEqual(chained);
    expect(eventHash(read.prevHash, unchained(read), value)).toBe(read.hash);
  });

  it('a tampered ce_onbehalfof no longer verifies: changed, removed or added', () => {
    const { prevHash: _prev, hash: _hash, ...rest } = metadata;
    const value = Buffer.from('payload');
    const verifies = (headers: Record<string, Buffer>) => {
      const read = fromHeaders(headers);
      return eventHash(read.prevHash, unchained(read), value) === read.hash;
    };
    const withIt = asReceived(toHeaders(chain('', { ...rest, onBehalfOf: 'erp:jdoe' }, value)));
    expect(verifies(withIt)).toBe(true);
    expect(verifies({ ...withIt, ce_onbehalfof: Buffer.from('erp:mallory') })).toBe(false);
    const { ce_onbehalfof: _dropped, ...withoutIt } = withIt;
    expect(verifies(withoutIt)).toBe(false);

    const plain = asReceived(toHeaders(chain('', rest, value)));
    expect(verifies(plain)).toBe(true);
    expect(verifies({ ...plain, ce_onbehalfof: Buffer.from('erp:jdoe') })).toBe(false);
  });

  it('names the missing header', () => {
    const headers = asReceived(toHeaders(metadata));
    delete headers.ce_tenant;
    expect(() => fromHeaders(headers)).toThrow(new UndecodableRecordError('header ce_tenant missing', {}));
  });

  it('refuses a record that is not a CloudEvent', () => {
    expect(() => fromHeaders({})).toThrow(/ce_specversion/);
  });
});
