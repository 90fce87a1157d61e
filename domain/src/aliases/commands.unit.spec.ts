import { setGovernanceSchema } from './commands';

describe('aliases.SetGovernance payload', () => {
  const pathOf = (payload: unknown) =>
    setGovernanceSchema.safeParse(payload).error?.issues.map((i) => i.path.join('.'));

  it('takes a pattern that compiles and has no nested quantifiers', () => {
    expect(setGovernanceSchema.safeParse({ namingPattern: '^api-[a-z][a-z0-9-]{1,40}$' }).success).toBe(true);
  });

  it.each(['(a+)+$', '^([a-z]*)*$', '^(x+x+)+y$'])(
    'refuses %s, which can take exponential time, naming namingPattern',
    (pattern) => {
      const result = setGovernanceSchema.safeParse({ namingPattern: pattern });
      expect(result.error?.issues).toEqual([
        expect.objectContaining({ path: ['namingPattern'], message: expect.stringMatching(/exponential/) }),
      ]);
    },
  );

  it('refuses a pattern that does not compile, once, naming namingPattern', () => {
    expect(pathOf({ namingPattern: '([a-z' })).toEqual(['namingPattern']);
  });
});
