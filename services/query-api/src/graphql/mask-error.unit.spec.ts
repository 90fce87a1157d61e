import { GraphQLError } from 'graphql';
import { HttpProblem } from '@verity/service-kit';
import { maskError } from './mask-error';

const unavailable = new HttpProblem(503, 'read_models_unavailable', 'Read models unavailable', 'retry later');
/** As yoga hands a resolver's error over: wrapped, with its path. */
const fromResolver = (error: Error): GraphQLError =>
  new GraphQLError(error.message, { originalError: error, path: ['stock'] });

describe('maskError', () => {
  it('shows a 503 problem with its code, detail and path', () => {
    const masked = maskError(fromResolver(unavailable), 'Unexpected error.') as GraphQLError;
    expect(masked).toBeInstanceOf(GraphQLError);
    expect(masked.message).toBe('retry later');
    expect(masked.path).toEqual(['stock']);
    expect(masked.extensions).toEqual({ code: 'READ_MODELS_UNAVAILABLE' });
  });

  it('masks any other error, a 500 problem and a database error alike', () => {
    const internal = new HttpProblem(500, 'internal_error', 'Internal error', 'secret detail');
    for (const error of [internal, new Error('permission denied for schema t_1')]) {
      const masked = maskError(fromResolver(error), 'Unexpected error.');
      expect(masked.message).toBe('Unexpected error.');
    }
  });

  it('leaves a GraphQL error of the schema as it is', () => {
    const own = new GraphQLError('sku: required', { extensions: { code: 'BAD_USER_INPUT' } });
    expect(maskError(own, 'Unexpected error.')).toBe(own);
  });
});
