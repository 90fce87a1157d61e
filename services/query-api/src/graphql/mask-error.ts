import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type MaskError } from 'graphql-yoga';
import { HttpProblem } from '@verity/service-kit';

/** The 503 problem `error` is or wraps, if it is one. */
export function unavailableProblem(error: unknown): HttpProblem | undefined {
  const original = error instanceof GraphQLError ? error.originalError : error;
  return original instanceof HttpProblem && original.status === 503 ? original : undefined;
}

/**
 * Yoga's masking, except for a problem the client may act on that a REST read answers with its
 * own status (the read models not readable yet: 503): GraphQL clients get its code and detail
 * rather than "Unexpected error.". Everything else stays masked and logged.
 */
export const maskError: MaskError = (error, message, isDev) => {
  const original = unavailableProblem(error);
  if (original)
    return new GraphQLError(original.message, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { code: original.code.toUpperCase() },
    });
  return yogaMaskError(error, message, isDev);
};
