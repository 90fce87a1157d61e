import { GraphQLError } from 'graphql';
import { conflictResolvers, type ConflictsArgs } from './conflicts';
import type { GraphqlContext } from './context';

// Arguments are judged before anything is read: a context without a database is enough.
const ctx = { tenant: 'acme' } as GraphqlContext;

function errorOf(args: Partial<ConflictsArgs>): GraphQLError {
  try {
    void conflictResolvers.Query.conflicts(undefined, { first: 50, ...args }, ctx);
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('no error');
}

describe('GraphQL conflicts arguments: the rules of GET /v1/conflicts', () => {
  it.each([
    [{ first: 0 }, 'first', /between 1 and 200/],
    [{ first: 201 }, 'first', /between 1 and 200/],
    [{ after: 'not-ours' }, 'after', /not a cursor/],
    [{ sku: 'not a sku' }, 'sku', /letters/],
    [{ field: 'catalog.colour' }, 'field', /one of catalog.name/],
    [{ status: 'accepted' }, 'status', /one of open, resolved/],
    [{ context: 'pricing' }, 'context', /one of catalog, inventory/],
  ] as const)('%j is BAD_USER_INPUT naming %s', (args, argument, message) => {
    const error = errorOf(args);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(error.message).toMatch(new RegExp(`^${argument}: `));
    expect(error.message).toMatch(message);
  });

  it('a malformed conflict id is BAD_USER_INPUT naming id', async () => {
    await expect(conflictResolvers.Query.conflict(undefined, { id: 'nope' }, ctx)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argument: 'id' },
    });
  });
});
