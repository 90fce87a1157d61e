import { postGraphql, rowCounts, topicEnds } from './testing/query-access';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

/**
 * The limits of issue 10 as the running services apply them: GraphQL documents over a limit are
 * 400 and nothing executes, a body over 1 MiB is 413, headers over the limit are 431, and none of
 * them appends anything. Small GraphQL limits are set so each document passes every limit but one.
 */
describe('request limits through the running gateway and query-api', () => {
  let platform: TestPlatform;
  let queryApi: string;
  let reader: Record<string, string>;
  let before: { topics: Awaited<ReturnType<typeof topicEnds>>; rows: Awaited<ReturnType<typeof rowCounts>> };

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, {
      env: {
        VERITY_GRAPHQL_MAX_DEPTH: '2',
        VERITY_GRAPHQL_MAX_ALIASES: '1',
        VERITY_GRAPHQL_MAX_TOKENS: '40',
        VERITY_GRAPHQL_MAX_COST: '20',
      },
    });
    queryApi = platform.urls['query-api']!;
    reader = await platform.credential({ tenant: 'acme', roles: ['reader'] });
    before = { topics: await topicEnds(platform), rows: await rowCounts(platform) };
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('answers a document within the limits', async () => {
    const answer = await postGraphql(queryApi, '{ product(sku: "S-1") { sku } }', reader);
    expect({ status: answer.status, body: JSON.parse(answer.text) as unknown }).toEqual({
      status: 200,
      body: { data: { product: null } },
    });
  });

  it.each([
    ['max_depth', '{ products { items { sku } } }'],
    ['max_aliases', '{ a: product(sku: "S-1") { sku } b: product(sku: "S-1") { sku } }'],
    ['max_tokens', `{ product(sku: "S-1") { ${'sku '.repeat(40)}} }`],
    ['max_cost', `{ product(sku: "S-1") { ${'sku '.repeat(16)}} }`],
  ])('refuses a document over %s with 400, executing nothing', async (code, document) => {
    const answer = await postGraphql(queryApi, document, reader);
    const body = JSON.parse(answer.text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect({ status: answer.status, codes: body.errors?.map((e) => e.extensions?.code) }).toEqual({
      status: 400,
      codes: [code],
    });
    // No field resolved: a document that executed would carry `data`, even `{ product: null }`.
    expect(body).not.toHaveProperty('data');
  });

  it('refuses a body over 1 MiB with 413 on the command route and /graphql', async () => {
    const big = JSON.stringify({ sku: 'SKU-BIG', location: 'lyon', quantity: 1, note: 'x'.repeat(1024 * 1024) });
    const command = await postCommand(platform, 'inventory.ReceiveStock', big, await platform.credential());
    expect([command.status, command.body.code]).toEqual([413, 'body_too_large']);
    const graphql = await fetch(`${queryApi}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...reader },
      body: JSON.stringify({ query: `{ product(sku: "S-1") { sku } }`, pad: 'x'.repeat(1024 * 1024) }),
    });
    expect(graphql.status).toBe(413);
    expect(graphql.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses headers over the limit with 431 on both services', async () => {
    for (const url of [`${platform.urls.gateway}/v1/commands/some-command`, `${queryApi}/v1/catalog/products`]) {
      const res = await fetch(url, { headers: { ...reader, 'x-padding': 'x'.repeat(32 * 1024) } });
      expect({ url, status: res.status }).toEqual({ url, status: 431 });
    }
  });

  it('appended nothing to any topic or read model', async () => {
    expect(await topicEnds(platform)).toEqual(before.topics);
    expect(await rowCounts(platform)).toEqual(before.rows);
  });
});
