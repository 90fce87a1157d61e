import { decodeConflictCursor, encodeConflictCursor } from './conflict-view';

describe('conflict list cursors', () => {
  it('round-trip [detectedAt, conflictId] through an opaque base64url cursor', () => {
    const cursor = encodeConflictCursor(['2026-11-23T10:00:00.000Z', 'conflict-0123456789abcdef01234567']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeConflictCursor(cursor)).toEqual(['2026-11-23T10:00:00.000Z', 'conflict-0123456789abcdef01234567']);
  });

  it.each([
    ['not base64', 'not a cursor!'],
    ['not JSON', Buffer.from('[oops').toString('base64url')],
    ['one part', Buffer.from(JSON.stringify(['2026-11-23T10:00:00.000Z'])).toString('base64url')],
    ['not a time', Buffer.from(JSON.stringify(['yesterday', 'conflict-1'])).toString('base64url')],
    ['not canonical', `${encodeConflictCursor(['2026-11-23T10:00:00.000Z', 'conflict-1'])}=`],
  ])('refuses %s', (_name, cursor) => {
    expect(decodeConflictCursor(cursor)).toBeUndefined();
  });
});
