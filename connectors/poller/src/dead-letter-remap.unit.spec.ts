import { UnmappableChangeError, type StoredDeadLetter } from '@verity/connector-intake';
import { remapPollerLetter } from './dead-letter-remap';
import { changeOfRecord, mapRecord } from './records';

const letter = (over: Partial<StoredDeadLetter> = {}): StoredDeadLetter => ({
  id: 'l1',
  at: '2026-01-01T00:00:00.000Z',
  ingestor: 'poller',
  source: 'netsuite',
  tenant: 'acme',
  code: 'unmappable_change',
  reason: 'inventory record: quantity: quantity (or on_hand) is required',
  position: 'inventory page 2',
  original: JSON.stringify({ sku: 'W-1', location: 'main', quantity: 4, updated_at: '2026-01-01T00:00:00Z' }),
  ...over,
});

describe('remapPollerLetter', () => {
  it('maps the original record again to the command the poller would have sent, with the same id', () => {
    const record = mapRecord('inventory', JSON.parse(letter().original));
    expect(remapPollerLetter(letter())).toEqual([
      changeOfRecord({ tenant: 'acme', source: 'netsuite' }, record, false),
    ]);
  });

  it('still names the field when the record is still wrong, and refuses a letter without kind or tenant', () => {
    const wrong = letter({ original: JSON.stringify({ sku: 'W-1', updated_at: '2026-01-01T00:00:00Z' }) });
    expect(() => remapPollerLetter(wrong)).toThrow(/quantity/);
    expect(() => remapPollerLetter(letter({ position: 'orders' }))).toThrow(UnmappableChangeError);
    expect(() => remapPollerLetter(letter({ tenant: undefined }))).toThrow(/tenant/);
  });
});
