import { subscribe, type GraphqlSubscription } from './testing/graphql-client';
import { openSubscription } from './testing/query-access';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

const STOCK = 'subscription { stockChanged(sku: "S-1") { sku version } }';

describe("GraphQL subscriptions count against the caller's limits", () => {
  let platform: TestPlatform;
  let queryApi: string;
  const open: GraphqlSubscription[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform(['query-api'], {
      env: {
        VERITY_GRAPHQL_SUBSCRIPTIONS_PER_CREDENTIAL: '2',
        // Four requests per credential in a window longer than the test.
        VERITY_RATE_LIMIT_READER: '4',
        VERITY_RATE_LIMIT_WINDOW_S: '60',
      },
    });
    queryApi = platform.urls['query-api']!;
  });
  afterAll(async () => {
    for (const sub of open) sub.close();
    await platform?.stop();
  });

  it('at most VERITY_GRAPHQL_SUBSCRIPTIONS_PER_CREDENTIAL open at once, each one a request of the rate limit', async () => {
    const reader = await platform.credential({ tenant: 'acme', roles: ['reader'], subject: 'dashboard' });
    for (let i = 0; i < 2; i++) {
      const sub = await subscribe(queryApi, STOCK, 'acme', reader);
      open.push(sub);
      expect(sub.status).toBe(200);
    }
    // The third while two are open: refused inside GraphQL, HTTP 429.
    const third = await openSubscription(queryApi, STOCK, reader);
    expect(third.status).toBe(429);
    expect(third.text).toContain('"code":"RATE_LIMITED"');

    // Another credential has its own count.
    const other = await subscribe(
      queryApi,
      STOCK,
      'acme',
      await platform.credential({ tenant: 'acme', roles: ['reader'], subject: 'other' }),
    );
    open.push(other);
    expect(other.status).toBe(200);

    // Closing one frees its place once the server sees the stream end.
    open.shift()!.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fourth = await subscribe(queryApi, STOCK, 'acme', reader);
    open.push(fourth);
    expect(fourth.status).toBe(200);

    // Four requests of the credential so far (the refused one counted too): the fifth is over its rate limit.
    const fifth = await openSubscription(queryApi, STOCK, reader);
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.parse(fifth.text)).toMatchObject({ code: 'rate_limited', limit: 'credential' });
  });
});
