import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { z } from 'zod';

const limit = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * How large a GraphQL document may be, checked before anything executes (graphql-armor).
 * The defaults admit the deepest query the schema has a use for (products → items → stock →
 * locations → location is 5) with room, and refuse documents built to exhaust the server.
 */
export const graphqlLimitsEnvSchema = z.object({
  /** Deepest selection, fragments flattened. Default 10. */
  VERITY_GRAPHQL_MAX_DEPTH: limit(1, 100, 10),
  /** Aliases in an operation (each alias is one more resolution of a field). Default 15. */
  VERITY_GRAPHQL_MAX_ALIASES: limit(0, 1000, 15),
  /** Lexical tokens in a document, counted while parsing. Default 1000. */
  VERITY_GRAPHQL_MAX_TOKENS: limit(10, 100_000, 1000),
  /** Directives in an operation. Default 10. */
  VERITY_GRAPHQL_MAX_DIRECTIVES: limit(0, 1000, 10),
  /** Static cost: objects 2, scalars 1, each level ×1.5 (graphql-armor's cost model). Default 5000. */
  VERITY_GRAPHQL_MAX_COST: limit(10, 1_000_000, 5000),
});
export type GraphqlLimits = z.infer<typeof graphqlLimitsEnvSchema>;

export const DEFAULT_GRAPHQL_LIMITS: GraphqlLimits = graphqlLimitsEnvSchema.parse({});

/**
 * A refused document is a client error: HTTP 400 whatever the Accept header (yoga answers
 * validation errors with 200 to `application/json` clients otherwise), with a code to act on.
 */
function refuse(code: string) {
  return (_context: ValidationContext | null, error: GraphQLError): void => {
    Object.assign(error.extensions, { code, http: { status: 400 } });
  };
}

const LIMIT_CODES = new Set(['max_depth', 'max_aliases', 'max_tokens', 'max_directives', 'max_cost']);

/**
 * The token limit is checked while parsing, and yoga marks a parse error as a 400 only for
 * `application/graphql-response+json` clients (`http.spec`): this makes every refusal a 400.
 */
const limitStatus: Plugin = {
  onResultProcess: ({ result }) => {
    const errors = 'errors' in result && Array.isArray(result.errors) ? (result.errors as unknown[]) : [];
    for (const error of errors)
      if (error instanceof GraphQLError && LIMIT_CODES.has(String(error.extensions.code)))
        Object.assign(error.extensions, { http: { status: 400 } });
  },
};

/** graphql-armor's plugins with these limits; field suggestions are masked (they reveal the schema). */
export function graphqlLimitPlugins(limits: GraphqlLimits): Plugin[] {
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.VERITY_GRAPHQL_MAX_DEPTH, onReject: [refuse('max_depth')] },
    maxAliases: { n: limits.VERITY_GRAPHQL_MAX_ALIASES, onReject: [refuse('max_aliases')] },
    maxTokens: { n: limits.VERITY_GRAPHQL_MAX_TOKENS, onReject: [refuse('max_tokens')] },
    maxDirectives: { n: limits.VERITY_GRAPHQL_MAX_DIRECTIVES, onReject: [refuse('max_directives')] },
    costLimit: { maxCost: limits.VERITY_GRAPHQL_MAX_COST, onReject: [refuse('max_cost')] },
    blockFieldSuggestion: { enabled: true },
  });
  return [...(armor.protect().plugins as Plugin[]), limitStatus];
}
