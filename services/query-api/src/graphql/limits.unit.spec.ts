import { createSchema, createYoga } from 'graphql-yoga';
import { DEFAULT_GRAPHQL_LIMITS, graphqlLimitPlugins, graphqlLimitsEnvSchema } from './limits';

describe('GraphQL limits', () => {
  let resolved = 0;
  const schema = createSchema({
    typeDefs: `type Node { id: ID! child: Node } type Query { node: Node }`,
    resolvers: {
      Query: {
        node: () => {
          resolved += 1;
          return { id: '1', child: null };
        },
      },
    },
  });
  const limits = {
    VERITY_GRAPHQL_MAX_DEPTH: '3',
    VERITY_GRAPHQL_MAX_ALIASES: '2',
    VERITY_GRAPHQL_MAX_TOKENS: '60',
    VERITY_GRAPHQL_MAX_DIRECTIVES: '2',
    VERITY_GRAPHQL_MAX_COST: '1000',
  };
  const post = async (query: string, accept = 'application/json', env: Record<string, string> = limits) => {
    const yoga = createYoga({
      schema,
      plugins: graphqlLimitPlugins(graphqlLimitsEnvSchema.parse(env)),
      logging: false,
    });
    const res = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as { errors?: { extensions?: { code?: string } }[] } };
  };

  beforeEach(() => {
    resolved = 0;
  });

  it('runs a document within every limit', async () => {
    expect(await post('{ node { id child { id } } }')).toEqual({
      status: 200,
      body: { data: { node: { id: '1', child: null } } },
    });
  });

  it.each([
    ['max_depth', '{ node { child { child { child { id } } } } }'],
    ['max_aliases', '{ a: node { id } b: node { id } c: node { id } }'],
    ['max_directives', '{ node @skip(if: false) @include(if: true) { id @skip(if: false) } }'],
    ['max_tokens', `{ node { ${'id '.repeat(60)} } }`],
  ])('refuses %s with 400 and executes nothing', async (code, query) => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const res = await post(query, accept);
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    }
    expect(resolved).toBe(0);
  });

  it('refuses a document over the cost limit', async () => {
    const query = `{ a: node { id child { id } } b: node { id child { id } } }`;
    expect((await post(query)).status).toBe(200);
    const res = await post(query, 'application/json', { ...limits, VERITY_GRAPHQL_MAX_COST: '12' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['max_cost']);
    expect(resolved).toBe(2);
  });

  it('defaults to limits the existing queries fit', () => {
    expect(DEFAULT_GRAPHQL_LIMITS).toEqual({
      VERITY_GRAPHQL_MAX_DEPTH: 10,
      VERITY_GRAPHQL_MAX_ALIASES: 15,
      VERITY_GRAPHQL_MAX_TOKENS: 1000,
      VERITY_GRAPHQL_MAX_DIRECTIVES: 10,
      VERITY_GRAPHQL_MAX_COST: 5000,
    });
  });
});
