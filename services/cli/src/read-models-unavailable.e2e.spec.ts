import { startTestPlatform, type TestPlatform } from './testing/test-platform';

/**
 * A query-api started before any projector: its schema does not exist yet. Reads answer a 503
 * the client can retry (REST and GraphQL), not a 500, and answer normally once a projector has
 * created and granted the read models.
 */
describe('reads before the projector has created the read models', () => {
  let platform: TestPlatform;
  let queryApi: string;

  beforeAll(async () => {
    platform = await startTestPlatform(['query-api']);
    queryApi = platform.urls['query-api']!;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const stock = (headers: Record<string, string>) => fetch(`${queryApi}/v1/inventory/EARLY-1`, { headers });
  const graphqlStock = (headers: Record<string, string>) =>
    fetch(`${queryApi}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ stock(sku: "EARLY-1") { sku } }' }),
    });

  it('answer 503 read_models_unavailable, then normally once a projector runs', async () => {
    const reader = await platform.credential({ tenant: 'early', roles: ['reader:inventory'] });

    const early = await stock(reader);
    expect(early.status).toBe(503);
    expect(early.headers.get('content-type')).toContain('application/problem+json');
    expect(await early.json()).toMatchObject({ status: 503, code: 'read_models_unavailable' });

    const earlyResponse = await graphqlStock(reader);
    expect(earlyResponse.status).toBe(200);
    const earlyGraphql = (await earlyResponse.json()) as {
      data: { stock: unknown } | null;
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(earlyGraphql.errors[0]!.extensions.code).toBe('READ_MODELS_UNAVAILABLE');
    expect(earlyGraphql.errors[0]!.message).toContain('not readable yet');

    // The credential and role checks still come first.
    expect((await stock({})).status).toBe(401);
    const other = await platform.credential({ tenant: 'early', roles: ['reader:pricing'] });
    expect((await stock(other)).status).toBe(403);

    await platform.startService('projector');
    expect((await stock(reader)).status).toBe(404);
    const later = (await (await graphqlStock(reader)).json()) as { data: { stock: unknown }; errors?: unknown };
    expect(later).toEqual({ data: { stock: null } });
  });
});
