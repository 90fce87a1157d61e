import { UnmappableChangeError, type SourceChange, type StoredDeadLetter } from '@verity/connector-intake';
import { RECORD_KINDS, polledSourceSchema } from './config';
import { changeOfRecord, mapRecord } from './records';

/**
 * A poller's dead letter mapped again (for `verity dlq replay`): its position starts with the
 * record's kind and its original is the record as the source answered it. A product is
 * registered: one whose record never mapped was never sent.
 */
export function remapPollerLetter(letter: StoredDeadLetter): SourceChange[] {
  const kind = RECORD_KINDS.find((k) => letter.position?.split(' ')[0] === k);
  if (kind === undefined)
    throw new UnmappableChangeError(`position ${JSON.stringify(letter.position)}: no record kind`, [
      { path: 'position', message: `one of ${RECORD_KINDS.join(', ')}` },
    ]);
  const source = polledSourceSchema.safeParse(letter.source);
  if (!source.success || letter.tenant === undefined)
    throw new UnmappableChangeError('a poller letter names its tenant and source system', [
      { path: source.success ? 'tenant' : 'source', message: 'required' },
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(letter.original);
  } catch {
    throw new UnmappableChangeError('original: not JSON', [{ path: 'original', message: 'not JSON' }]);
  }
  return [changeOfRecord({ tenant: letter.tenant, source: source.data }, mapRecord(kind, raw), false)];
}
