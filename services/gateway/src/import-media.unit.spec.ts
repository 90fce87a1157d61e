import { formatOfContentType } from './import-media';

describe('formatOfContentType', () => {
  it('reads CSV and NDJSON media types, parameters and case aside', () => {
    expect(formatOfContentType('text/csv; charset=utf-8')).toBe('csv');
    expect(formatOfContentType('Application/X-NDJSON')).toBe('ndjson');
    expect(formatOfContentType('application/jsonl')).toBe('ndjson');
  });

  it('names no format for anything else', () => {
    expect(formatOfContentType('application/json')).toBeUndefined();
    expect(formatOfContentType(undefined)).toBeUndefined();
    expect(formatOfContentType('')).toBeUndefined();
  });
});
