import { execute, parse, validate } from 'graphql';
import { createGraphqlSchema } from './schema';
import type { GraphqlContext } from './context';

// Arguments are checked before anything is read: a context without stores is enough here.
const context = {
  principal: { kind: 'jwt', subject: 'test', tenant: 'acme', grants: [{ role: 'reader' }], permissions: new Set() },
  tenant: 'acme',
  now: () => new Date('2026-11-23T10:00:00Z'),
} as unknown as GraphqlContext;
const schema = createGraphqlSchema();

async function errorsOf(query: string) {
  const document = parse(query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) return invalid.map((e) => ({ message: e.message, extensions: e.extensions }));
  const result = await execute({ schema, document, contextValue: context });
  return (result.errors ?? []).map((e) => ({ message: e.message, extensions: e.extensions }));
}

describe('GraphQL pricing arguments', () => {
  it('a missing customer is a validation error naming it', async () => {
    expect(await errorsOf(`{ quote(priceListId: "PL-1", sku: "SKU-1", quantity: 1) { total } }`)).toEqual([
      {
        message: 'Field "quote" argument "customer" of type "String!" is required, but it was not provided.',
        extensions: {},
      },
    ]);
  });

  it.each([
    [`{ quote(priceListId: "PL-1", customer: "C-1", sku: "SKU-1", quantity: 0) { total } }`, 'quantity'],
    [`{ quote(priceListId: "PL-1", customer: "", sku: "SKU-1", quantity: 1) { total } }`, 'customer'],
    [`{ quote(priceListId: "PL 1", customer: "C-1", sku: "SKU-1", quantity: 1) { total } }`, 'priceListId'],
    [`{ quote(priceListId: "PL-1", customer: "C-1", sku: "SKU-1", quantity: 1, at: "soon") { total } }`, 'at'],
    [`{ priceList(id: "") { name } }`, 'id'],
  ])('%s is BAD_USER_INPUT naming %s', async (query, argument) => {
    const [error, ...more] = await errorsOf(query);
    expect(more).toEqual([]);
    expect(error?.message).toMatch(new RegExp(`^${argument}: `));
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
  });
});
