import { bodyETag, matchesIfNoneMatch, versionETag } from './conditional';

describe('conditional answers', () => {
  it('an entity is tagged by its version, a list by its body', () => {
    expect(versionETag(7)).toBe('"7"');
    expect(bodyETag({ items: [1] })).toBe(bodyETag({ items: [1] }));
    expect(bodyETag({ items: [1] })).not.toBe(bodyETag({ items: [2] }));
  });

  it.each([
    ['"7"', true],
    ['W/"7"', true],
    ['"6", "7"', true],
    ['*', true],
    ['"6"', false],
    ['7', false],
  ])('If-None-Match %s against "7" is %p', (header, matches) => {
    expect(matchesIfNoneMatch(header, '"7"')).toBe(matches);
  });

  it('no If-None-Match matches nothing', () => {
    expect(matchesIfNoneMatch(undefined, '"7"')).toBe(false);
  });
});
