import { subscribe, type GraphqlSubscription } from './testing/graphql-client';
import { get, postGraphql } from './testing/query-access';
import { eventually, postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const A = 'acme';
const B = 'globex';
const JAN = '2020-01-01T00:00:00Z';
const alice = { 'X-Actor': 'alice' };

describe("tenant B never reads tenant A's data: REST, GraphQL queries and subscriptions, through the cache", () => {
  let platform: TestPlatform;
  let queryApi: string;
  let conflictId: string;
  /** Admin credentials of each tenant: every context readable, only the tenant differs. */
  let asA: Record<string, string>;
  let asB: Record<string, string>;

  const write = async (type: string, body: unknown, headers: Record<string, string> = {}) => {
    const reply = await postCommand(platform, type, body, { 'X-Tenant-Id': A, ...headers });
    expect({ type, status: reply.status }).toEqual({ type, status: 200 });
    return reply;
  };
  const json = async (path: string, headers: Record<string, string>) => {
    const answer = await get(`${queryApi}${path}`, headers);
    return { status: answer.status, cache: answer.headers.get('x-cache'), body: JSON.parse(answer.text) as unknown };
  };

  /** The single-entity reads the cache serves, and the lists, as A (and then B) reads them. */
  const SINGLE = () => [
    '/v1/inventory/X-1',
    '/v1/catalog/products/X-1',
    '/api/aliases/resolve/frontend/shirt',
    '/v1/pricing/quote?priceListId=PL-1&sku=X-1&quantity=1',
    '/v1/pricing/price-lists/PL-1',
    `/v1/conflicts/${conflictId}`,
  ];
  const LISTS = [
    '/v1/inventory/low-stock?threshold=100',
    '/v1/inventory/locations/berlin',
    '/v1/catalog/products',
    '/v1/aliases',
    '/v1/aliases/conflicts',
    '/v1/conflicts',
    '/v1/sources/authority-rules',
  ];

  beforeAll(async () => {
    platform = await startTestPlatform();
    queryApi = platform.urls['query-api']!;
    asA = await platform.credential({ tenant: A });
    asB = await platform.credential({ tenant: B });
    // A's data in every read model, through the gateway with A's credential.
    await write('sources.SetAuthorityRule', { field: 'catalog.description', owners: ['shopify'] });
    await write('catalog.RegisterProduct', { sku: 'X-1', name: 'Bolt', unit: 'EA', description: 'zinc plated' });
    await write('inventory.ReceiveStock', { sku: 'X-1', location: 'berlin', quantity: 5 });
    await write('aliases.RegisterAlias', { alias: 'shirt', context: 'frontend', canonical: 'shirt-v1' }, alice);
    // Another owner claiming the alias: an alias conflict.
    await write(
      'aliases.RegisterAlias',
      { alias: 'shirt', context: 'frontend', canonical: 'tee' },
      { 'X-Actor': 'bob' },
    );
    await write('pricing.CreatePriceList', { priceListId: 'PL-1', name: 'Wholesale', currency: 'EUR' });
    await write('pricing.SetBasePrice', { priceListId: 'PL-1', sku: 'X-1', unitPrice: 1299, effectiveFrom: JAN });
    // Not the description's owner: a conflict between source systems.
    await write(
      'catalog.UpdateProduct',
      { sku: 'X-1', name: 'Bolt M8', description: 'stainless' },
      { 'X-Source-System': 'netsuite' },
    );
    conflictId = await eventually(
      async () => {
        const page = (await json('/v1/conflicts', asA)).body as { items?: { conflictId: string }[] };
        return page.items?.[0]?.conflictId;
      },
      30_000,
      "A's conflict",
    );
    // A reads each entity until it is there, then once more: from the cache (X-Cache: hit).
    for (const path of SINGLE())
      await eventually(
        async () => ((await json(path, asA)).status === 200 ? true : undefined),
        30_000,
        `${path} for A`,
      );
    for (const path of SINGLE()) {
      const again = await json(path, asA);
      expect({ path, status: again.status }).toEqual({ path, status: 200 });
    }
    for (const path of LISTS) {
      const page = (await eventually(
        async () => {
          const read = await json(path, asA);
          return read.status === 200 && JSON.stringify(read.body).includes('"items":[{') ? read : undefined;
        },
        30_000,
        `${path} for A`,
      )) as { body: unknown };
      expect(page.body).toBeDefined();
    }
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it("A warmed the cache for the entities B asks for: A's reads are hits", async () => {
    expect((await json('/v1/inventory/X-1', asA)).cache).toBe('hit');
    expect((await json('/v1/catalog/products/X-1', asA)).cache).toBe('hit');
    expect((await json('/api/aliases/resolve/frontend/shirt', asA)).cache).toBe('hit');
  });

  it('B gets 404 for every entity of A, and empty lists', async () => {
    for (const path of SINGLE()) {
      const read = await json(path, asB);
      expect({ path, status: read.status }).toEqual({ path, status: 404 });
    }
    for (const path of LISTS) {
      const read = await json(path, asB);
      expect({ path, read }).toEqual({
        path,
        read: { status: 200, cache: null, body: { items: [], ...nextCursor(path) } },
      });
    }
    expect((await json('/api/aliases/metrics', asB)).body).toMatchObject({ total: 0, active: 0 });
    expect((await json('/api/aliases/metrics', asA)).body).toMatchObject({ total: 1, active: 1 });
  });

  it('B naming A in X-Tenant-Id gets 403 foreign_tenant, on REST and GraphQL', async () => {
    for (const path of [...SINGLE(), ...LISTS, '/api/aliases/metrics']) {
      const read = await json(path, { ...asB, 'X-Tenant-Id': A });
      expect({ path, read }).toEqual({ path, read: expect.objectContaining({ status: 403 }) });
      expect(read.body).toMatchObject({ code: 'foreign_tenant' });
    }
    const viaGraphql = await postGraphql(queryApi, '{ products { items { sku } } }', { ...asB, 'X-Tenant-Id': A });
    expect(viaGraphql.status).toBe(403);
    expect(JSON.parse(viaGraphql.text)).toMatchObject({ code: 'foreign_tenant' });
  });

  it('every GraphQL query of B answers nothing of A', async () => {
    const QUERIES = [
      '{ product(sku: "X-1") { sku name } }',
      '{ products { items { sku } nextCursor } }',
      '{ stock(sku: "X-1") { sku } }',
      '{ lowStock(threshold: 100) { items { sku } nextCursor } }',
      '{ resolveAlias(context: frontend, alias: "shirt") { canonical } }',
      '{ priceList(id: "PL-1") { name } }',
      '{ conflicts { items { conflictId } nextCursor } }',
      `{ conflict(id: "${conflictId}") { conflictId } }`,
      '{ authorityRules { field } }',
    ];
    for (const query of QUERIES) {
      const [forA, forB] = [await postGraphql(queryApi, query, asA), await postGraphql(queryApi, query, asB)];
      // The control: A reads its data with the same document.
      expect({ query, a: forA.text }).toEqual({
        query,
        a: expect.stringMatching(/X-1|shirt|Wholesale|conflict-|catalog\.description/),
      });
      expect({ query, status: forB.status, body: forB.text }).toEqual({
        query,
        status: 200,
        body: expect.not.stringMatching(/X-1|shirt|Wholesale|conflict-|catalog\.description/),
      });
    }
    // An unknown price list is an error naming it, as for any tenant.
    const quote = await postGraphql(
      queryApi,
      '{ quote(priceListId: "PL-1", customer: "C-1", sku: "X-1", quantity: 1) { total } }',
      asB,
    );
    expect(JSON.parse(quote.text)).toMatchObject({
      data: { quote: null },
      errors: [{ extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it("a platform operator reads A's data naming A in X-Tenant-Id, and none of it without", async () => {
    const operator = await platform.credential({ tenant: 'platform', roles: ['platform-operator', 'reader'] });
    const named = await json('/v1/catalog/products/X-1', { ...operator, 'X-Tenant-Id': A });
    expect({ status: named.status, body: named.body }).toMatchObject({ status: 200, body: { sku: 'X-1' } });
    // Its own tenant is `platform`: the same read without the header finds nothing of A.
    expect((await json('/v1/catalog/products/X-1', operator)).status).toBe(404);
    const viaGraphql = await postGraphql(queryApi, '{ products { items { sku } } }', { ...operator, 'X-Tenant-Id': A });
    expect({ status: viaGraphql.status, body: JSON.parse(viaGraphql.text) as unknown }).toEqual({
      status: 200,
      body: { data: { products: { items: [{ sku: 'X-1' }] } } },
    });
    // A reader without the operator's role naming A is refused, as B is above.
    const reader = await platform.credential({ tenant: 'platform', roles: ['reader'] });
    expect((await json('/v1/catalog/products/X-1', { ...reader, 'X-Tenant-Id': A })).status).toBe(403);
  });

  it("a catalog reader of A gets A's products, and a FORBIDDEN for their stock", async () => {
    const answer = await postGraphql(
      queryApi,
      '{ products { items { sku stock { sku } } } }',
      await platform.credential({ tenant: A, roles: ['reader:catalog'] }),
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({
      data: { products: { items: [{ sku: 'X-1', stock: null }] } },
      errors: [{ extensions: { code: 'FORBIDDEN', missingPermission: 'reader:inventory' } }],
    });
  });

  it("B's subscriptions see none of A's changes, while A's own see them", async () => {
    const SUBSCRIPTIONS = [
      'subscription { stockChanged(sku: "X-1") { sku version } }',
      'subscription { productChanged(sku: "X-1") { sku } }',
      'subscription { aliasChanged { alias version } }',
      'subscription { priceChanged(priceListId: "PL-1", sku: "X-1", customer: "C-1") { version } }',
      'subscription { conflictChanged { conflictId } }',
    ];
    const open = async (tenant: string, headers: Record<string, string>) =>
      Promise.all(SUBSCRIPTIONS.map((query) => subscribe(queryApi, query, tenant, headers)));
    const subsOfA: GraphqlSubscription[] = await open(A, asA);
    const subsOfB: GraphqlSubscription[] = await open(B, asB);
    try {
      for (const sub of [...subsOfA, ...subsOfB]) expect(sub.status).toBe(200);
      await write('inventory.ReceiveStock', { sku: 'X-1', location: 'berlin', quantity: 1 });
      await write(
        'catalog.UpdateProduct',
        { sku: 'X-1', name: 'Bolt M10', description: 'brass' },
        { 'X-Source-System': 'netsuite' },
      );
      await write('aliases.RegisterAlias', { alias: 'shoe', context: 'frontend', canonical: 'shoe-v1' }, alice);
      await write('pricing.SetCustomerPrice', {
        priceListId: 'PL-1',
        customerId: 'C-1',
        sku: 'X-1',
        unitPrice: 999,
        effectiveFrom: JAN,
      });
      // The control: every one of A's subscriptions is told.
      for (const [i, sub] of subsOfA.entries())
        expect({ subscription: SUBSCRIPTIONS[i], event: await sub.next(20_000) }).toEqual({
          subscription: SUBSCRIPTIONS[i],
          event: { data: expect.any(Object) },
        });
      // Delivered at the same time: a notice for B would have come by now.
      for (const [i, sub] of subsOfB.entries())
        expect({ subscription: SUBSCRIPTIONS[i], event: await sub.next(1_000) }).toEqual({
          subscription: SUBSCRIPTIONS[i],
          event: undefined,
        });
    } finally {
      for (const sub of [...subsOfA, ...subsOfB]) sub.close();
    }
  });
});

/** The lists with a cursor answer `nextCursor: null` when there is nothing more. */
function nextCursor(path: string): Record<string, null> {
  return ['/v1/aliases/conflicts', '/v1/sources/authority-rules'].includes(path.split('?')[0]!)
    ? {}
    : { nextCursor: null };
}
