import { fromHeaders, toHeaders, type ChainedEventMetadata } from './event-metadata';
import { UndecodableRecordError } from './errors';

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

  it('reads back exactly what it wrote, numbers as numbers', () => {
    expect(fromHeaders(asReceived(toHeaders(metadata)))).toEqual(metadata);
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
