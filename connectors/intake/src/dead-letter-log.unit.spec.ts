import { deadLetterIdOf, type DeadLetter, type StoredDeadLetter } from './dead-letters';
import { foldDeadLetters } from './dead-letter-log';

const letter = (position: string): StoredDeadLetter => {
  const given: DeadLetter = {
    ingestor: 'cdc',
    source: 'erp-db',
    tenant: 'default',
    code: 'unmappable_change',
    reason: 'catalog.RegisterProduct: name: Too small',
    position,
    original: JSON.stringify({ sku: 'A', name: '' }),
  };
  return { ...given, id: deadLetterIdOf(given), at: '2026-12-02T10:00:00.000Z' };
};

describe('foldDeadLetters', () => {
  it('keeps letters in the order given up, once each, and drops those replayed', () => {
    const [a, b, c] = [letter('lsn-1'), letter('lsn-2'), letter('lsn-3')];
    const folded = foldDeadLetters([a, b, a, c, { replayed: b.id, commandIds: ['x'], at: 'now' }, 'junk', null]);
    expect(folded.pending.map((l) => l.position)).toEqual(['lsn-1', 'lsn-3']);
    expect(folded.replayed).toBe(1);
  });

  it('names a letter by what it holds: the same change given up twice is one letter', () => {
    expect(letter('lsn-1').id).toBe(letter('lsn-1').id);
    expect(letter('lsn-1').id).not.toBe(letter('lsn-2').id);
  });
});
