import { GraphQLError, GraphQLScalarType } from 'graphql';

/**
 * A value as JSON, for what has no one GraphQL type: the two sides of a conflict are a string,
 * a string map or a count depending on the field. Output only: no argument takes it.
 */
export const Json = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value (string, number, boolean, object, array or null), as the REST answer has it.',
  serialize: (value) => value,
  parseValue: () => {
    throw new GraphQLError('JSON is an output type only');
  },
  parseLiteral: () => {
    throw new GraphQLError('JSON is an output type only');
  },
});
