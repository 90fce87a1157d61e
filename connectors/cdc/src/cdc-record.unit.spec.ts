import { contexts } from '@verity/domain';
import { UnmappableChangeError, deadLetterIdOf } from '@verity/connector-intake';
import { triageRecord, type CdcRecord } from './cdc-record';
import { replayCdcLetter } from './dead-letter-replay';
import { parseChangeRecord } from './debezium-record';

/** A change event as Debezium 3.2's JSON converter writes it (schemas disabled). */
const event = (over: Record<string, unknown> = {}) => ({
  before: null,
  after: { sku: 'WIDGET-001', location: 'berlin', quantity: 150, updated_at: '2026-12-02T09:59:59.123456Z' },
  source: {
    version: '3.2.3.Final',
    connector: 'postgresql',
    name: 'verity.cdc.erp',
    ts_ms: 1764669600000,
    snapshot: 'false',
    db: 'erp',
    sequence: '["24022800","24023128"]',
    schema: 'public',
    table: 'inventory_levels',
    txId: 767,
    lsn: 24023128,
    xmin: null,
  },
  transaction: null,
  op: 'c',
  ts_ms: 1764669600042,
  ...over,
});
const record = (
  value: unknown,
  headers: Record<string, unknown> = { 'verity-tenant': Buffer.from('acme') },
): CdcRecord => ({
  topic: 'verity.cdc.erp.public.inventory_levels',
  partition: 0,
  offset: '7',
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers,
});

describe('parseChangeRecord', () => {
  it('reads the operation, the table, the LSN and the commit time', () => {
    expect(parseChangeRecord(JSON.stringify(event()))).toEqual({
      op: 'c',
      database: 'erp',
      schema: 'public',
      table: 'inventory_levels',
      lsn: '24023128',
      committedAt: '2025-12-02T10:00:00.000Z',
      before: null,
      after: event().after,
    });
  });

  it('unwraps the envelope of a converter with schemas enabled', () => {
    expect(parseChangeRecord(JSON.stringify({ schema: { type: 'struct' }, payload: event() }))?.lsn).toBe('24023128');
  });

  it('a tombstone and a heartbeat are no change', () => {
    expect(parseChangeRecord(null)).toBeNull();
    expect(parseChangeRecord(JSON.stringify({ ts_ms: 1764669600000 }))).toBeNull();
  });
});

describe('triageRecord', () => {
  it('a row change becomes its commands, for the tenant the connector names', () => {
    const triage = triageRecord(record(event()), contexts);
    expect(triage).toEqual({
      kind: 'commands',
      tenant: 'acme',
      sourceTimestamp: '2025-12-02T10:00:00.000Z',
      changes: [
        expect.objectContaining({
          type: 'inventory.AdjustStock',
          tenant: 'acme',
          payload: { sku: 'WIDGET-001', location: 'berlin', onHand: 150 },
          commandId: 'erp-db:erp:24023128:inventory_levels:WIDGET-001/berlin',
        }),
      ],
    });
  });

  it('skips tombstones and heartbeats', () => {
    expect(triageRecord(record(null), contexts)).toEqual({ kind: 'skip' });
    expect(triageRecord(record({ ts_ms: 1 }), contexts)).toEqual({ kind: 'skip' });
  });

  it('a row the command refuses is a dead letter naming the field, with the record as received', () => {
    const negative = event({ after: { sku: 'WIDGET-001', location: 'berlin', quantity: -5 } });
    const triage = triageRecord(record(negative), contexts);
    expect(triage).toEqual({
      kind: 'dead-letter',
      letter: {
        ingestor: 'cdc',
        source: 'erp-db',
        tenant: 'acme',
        code: 'unmappable_change',
        reason: expect.stringMatching(/onHand/),
        position: 'verity.cdc.erp.public.inventory_levels/0@7 erp:24023128:inventory_levels:WIDGET-001/berlin',
        original: JSON.stringify(negative),
      },
    });
  });

  it('a record that is not JSON, a change of an unknown table and a record without a tenant are dead letters', () => {
    expect(triageRecord(record('{not json'), contexts)).toMatchObject({
      kind: 'dead-letter',
      letter: { code: 'unmappable_change', reason: expect.stringMatching(/not a JSON record/) },
    });
    const orders = event({ source: { ...event().source, table: 'orders' } });
    expect(triageRecord(record(orders), contexts)).toMatchObject({
      letter: { reason: expect.stringMatching(/public.orders is not mapped/) },
    });
    expect(triageRecord(record(event(), {}), contexts)).toMatchObject({
      kind: 'dead-letter',
      letter: {
        code: 'no_tenant',
        position: expect.stringContaining('erp:24023128:inventory_levels:WIDGET-001/berlin'),
      },
    });
  });
});

describe('replayCdcLetter', () => {
  const letterOf = (value: unknown, headers: Record<string, unknown>) => {
    const triage = triageRecord(record(value, headers), contexts);
    if (triage.kind !== 'dead-letter') throw new Error('expected a dead letter');
    return { ...triage.letter, id: deadLetterIdOf(triage.letter), at: '2026-12-02T10:00:00.000Z' };
  };

  it('keeps the currency of a price line with its letter and maps the change again under its LSN', () => {
    const line = event({
      after: {
        price_list_id: 'PL-1',
        sku: 'WIDGET-001',
        unit_price: 'not a price',
        valid_from: '2026-01-01',
        valid_to: null,
        updated_at: '2026-12-02T09:59:59Z',
      },
      source: { ...event().source, table: 'price_list_lines' },
    });
    const letter = letterOf(line, { 'verity-tenant': Buffer.from('acme'), 'verity-currency': Buffer.from('EUR') });
    expect(letter.settings).toEqual({ currency: 'EUR' });
    // The cause fixed at the source's record: the same change, a price that reads.
    const fixed = { ...letter, original: JSON.stringify({ ...line, after: { ...line.after, unit_price: '12.99' } }) };
    const changes = replayCdcLetter(fixed, contexts);
    expect(changes.map((c) => c.type)).toEqual(['pricing.CreatePriceList', 'pricing.SetBasePrice']);
    expect(changes[1]).toMatchObject({ tenant: 'acme', payload: expect.objectContaining({ unitPrice: 1299 }) });
    expect(changes[1]!.commandId).toContain('24023128');
  });

  it('a letter whose change still maps to nothing stays unmappable', () => {
    const negative = event({ after: { sku: 'WIDGET-001', location: 'berlin', quantity: -5 } });
    expect(() => replayCdcLetter(letterOf(negative, { 'verity-tenant': Buffer.from('acme') }), contexts)).toThrow(
      UnmappableChangeError,
    );
  });
});
