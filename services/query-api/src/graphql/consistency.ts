import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ConsistencyToken } from '@verity/core';
import { HttpProblem } from '@verity/service-kit';
import { consistencyTokenOf, waitForProjection, type CheckpointStore, type Freshness } from '../consistency';
import type { GraphqlContext } from './context';

/** A read model GraphQL reads: its projection and the events topics it is built from. */
export interface ReadModel {
  projection: string;
  topics: readonly string[];
}

const invalidToken = (message: string): GraphQLError =>
  new GraphQLError(message, {
    extensions: { code: 'invalid_consistency_token', header: 'X-Consistency-Token', http: { status: 400 } },
  });

function tokenOf(req: Request): ConsistencyToken | undefined {
  try {
    return consistencyTokenOf(req);
  } catch (error) {
    if (error instanceof HttpProblem) throw invalidToken(error.message);
    throw error;
  }
}

/** The projections a token's topic feeds; a token for no topic GraphQL reads is invalid, as on REST. */
export function projectionsOf(readModels: readonly ReadModel[], topic: string): string[] {
  const projections = readModels.filter((model) => model.topics.includes(topic)).map((model) => model.projection);
  if (projections.length === 0)
    throw invalidToken(
      `token is for ${topic}; GraphQL reads are built from ${[...new Set(readModels.flatMap((m) => m.topics))].join(', ')}`,
    );
  return projections;
}

/**
 * Read-your-writes for GraphQL queries, as the REST routes do it: with `X-Consistency-Token`,
 * before executing, wait (bounded) for every read model built from the token's topic; single
 * reads then skip the cache (`consistency` in the context) and the answer says `fresh` or
 * `stale` in `extensions.consistency` and the `X-Consistency` header. Subscriptions do not wait.
 */
export function useConsistency(
  store: CheckpointStore,
  readModels: readonly ReadModel[],
): Plugin<GraphqlContext & { req: Request }> {
  return {
    async onExecute({ args, extendContext }) {
      const token = tokenOf(args.contextValue.req);
      if (!token) return undefined;
      const waits = await Promise.all(
        projectionsOf(readModels, token.topic).map((projection) =>
          waitForProjection(store, projection, token, args.contextValue.tenant),
        ),
      );
      const consistency: Freshness = waits.every((f) => f === 'fresh') ? 'fresh' : 'stale';
      extendContext({ consistency });
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, consistency, http: { headers: { 'X-Consistency': consistency } } },
          });
        },
      };
    },
  };
}
