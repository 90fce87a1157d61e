import { decodeCursor, encodeCursor, parseListQuery } from './catalog-routes';

describe('catalog list cursors', () => {
  it('round-trip a SKU through an opaque base64url cursor', () => {
    const cursor = encodeCursor('SKU-1.a_b');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('SKU');
    expect(decodeCursor(cursor)).toBe('SKU-1.a_b');
  });

  it.each([
    '',
    'not base64!',
    Buffer.from('has space').toString('base64url'),
    `${encodeCursor('SKU-1')}=`,
    Buffer.from('x'.repeat(65)).toString('base64url'),
  ])('refuses %p', (cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('catalog list query', () => {
  it('defaults to 50, any status, from the start', () => {
    expect(parseListQuery({})).toEqual({ limit: 50 });
  });

  it('reads limit, cursor and status', () => {
    expect(
      parseListQuery({ limit: '200', cursor: encodeCursor('B'), status: 'discontinued', other: 'ignored' }),
    ).toEqual({ limit: 200, after: 'B', status: 'discontinued' });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ cursor: '%%%' }, 'cursor'],
    [{ status: 'gone' }, 'status'],
  ])('%j is a 400 naming %s', (query, field) => {
    let problem: unknown;
    try {
      parseListQuery(query);
    } catch (error) {
      problem = error;
    }
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((problem as Error).message).toMatch(new RegExp(`^${field}: `));
  });
});
