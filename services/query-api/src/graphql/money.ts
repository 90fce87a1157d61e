import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const MESSAGE = 'Money is a whole number of minor units, at most 2^53 - 1';

function money(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new GraphQLError(`${MESSAGE}: ${String(value)}`);
}

/**
 * Integer minor units as a JSON number. GraphQL's Int stops at 2^31 - 1 (21 474 836.47 EUR),
 * which unit prices (up to 10^12) and totals pass; a Float would invite rounding.
 */
export const Money = new GraphQLScalarType<number, number>({
  name: 'Money',
  description:
    'An amount in integer minor units of its currency (1299 = 12.99 EUR): a JSON number, whole, at most 2^53 - 1.',
  serialize: money,
  parseValue: money,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw new GraphQLError(MESSAGE);
    return money(Number(ast.value));
  },
});
