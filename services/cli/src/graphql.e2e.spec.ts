import { encodeConsistencyToken } from '@verity/core';
import { contextTopics } from '@verity/events';
import { aliasResolveKey } from '@verity/projection-aliases-registry';
import { productCacheKey } from '@verity/projection-catalog-products';
import { readStockViews, stockCacheKey } from '@verity/projection-inventory-stock';
import { graphqlAs, subscribeAs } from './testing/graphql-client';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const REGISTER = 'catalog.RegisterProduct';
const RECEIVE = 'inventory.ReceiveStock';
const REGISTER_ALIAS = 'aliases.RegisterAlias';

describe('GraphQL at /graphql through the real stack', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const gql = (
    query: string,
    variables: Record<string, unknown> = {},
    tenant: string | undefined = 'acme',
    headers: Record<string, string> = {},
  ) => graphqlAs(platform, query, variables, tenant, headers);
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${platform.urls['query-api']}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  const accepted = async (type: string, payload: unknown, tenant: string) =>
    expect((await postCommand(platform, type, payload, { 'X-Tenant-Id': tenant })).status).toBe(200);

  const PRODUCTS = `query Products($first: Int) { products(first: $first) { items { sku name attributes { key value } stock { sku version totals { onHand available } locations { location onHand } } } nextCursor } }`;

  it('serves products with their stock, loading the stock of every product in one batch', async () => {
    await accepted(REGISTER, { sku: 'G-1', name: 'Bolt', unit: 'ea', attributes: { thread: 'M8' } }, 'acme');
    await accepted(REGISTER, { sku: 'G-2', name: 'Nut', unit: 'ea' }, 'acme');
    await accepted(REGISTER, { sku: 'G-3', name: 'Washer', unit: 'ea' }, 'acme');
    await accepted(RECEIVE, { sku: 'G-1', location: 'berlin', quantity: 5 }, 'acme');
    await accepted(RECEIVE, { sku: 'G-1', location: 'paris', quantity: 2 }, 'acme');
    await accepted(RECEIVE, { sku: 'G-2', location: 'berlin', quantity: 3 }, 'acme');

    const page = await eventually(
      async () => {
        const res = await gql(PRODUCTS, { first: 10 });
        const items = (res.body.data?.products.items ?? []) as { sku: string; stock: { version: number } | null }[];
        return items.length === 3 && items[0]!.stock?.version === 2 && items[1]!.stock ? res : undefined;
      },
      30_000,
      'three products, two with stock',
    );
    expect(page.status).toBe(200);
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data!.products).toEqual({
      items: [
        {
          sku: 'G-1',
          name: 'Bolt',
          attributes: [{ key: 'thread', value: 'M8' }],
          stock: {
            sku: 'G-1',
            version: 2,
            totals: { onHand: 7, available: 7 },
            locations: [
              { location: 'berlin', onHand: 5 },
              { location: 'paris', onHand: 2 },
            ],
          },
        },
        {
          sku: 'G-2',
          name: 'Nut',
          attributes: [],
          stock: {
            sku: 'G-2',
            version: 1,
            totals: { onHand: 3, available: 3 },
            locations: [{ location: 'berlin', onHand: 3 }],
          },
        },
        { sku: 'G-3', name: 'Washer', attributes: [], stock: null },
      ],
      nextCursor: null,
    });

    // Batching: one DataLoader batch of the three SKUs per request (the metric counts batches) ...
    const batchesBefore = await metric('verity_graphql_stock_batches_total');
    const skusBefore = await metric('verity_graphql_stock_batch_skus_total');
    expect((await gql(PRODUCTS, { first: 10 })).body.errors).toBeUndefined();
    expect((await metric('verity_graphql_stock_batches_total')) - batchesBefore).toBe(1);
    expect((await metric('verity_graphql_stock_batch_skus_total')) - skusBefore).toBe(3);
    // ... and the batch reader issues one SQL query whatever the number of SKUs (counted on a knex of our own).
    const sql: string[] = [];
    const onQuery = (q: { sql: string }) => sql.push(q.sql);
    platform.db.on('query', onQuery);
    try {
      const views = await readStockViews(platform.db, platform.schema, 'acme', ['G-1', 'G-2', 'G-3']);
      expect([...views.keys()].sort()).toEqual(['G-1', 'G-2']);
    } finally {
      platform.db.off('query', onQuery);
    }
    expect(sql).toHaveLength(1);

    // Paging, one product, one stock, low stock.
    const first = await gql(`{ products(first: 2) { items { sku } nextCursor } }`);
    expect(first.body.data!.products.items).toEqual([{ sku: 'G-1' }, { sku: 'G-2' }]);
    const second = await gql(
      `query($after: String) { products(first: 2, after: $after) { items { sku } nextCursor } }`,
      { after: first.body.data!.products.nextCursor },
    );
    expect(second.body.data!.products).toEqual({ items: [{ sku: 'G-3' }], nextCursor: null });
    const one = await gql(
      `{ product(sku: "G-2") { name stock { totals { onHand } } } stock(sku: "G-1") { totals { onHand } } missing: product(sku: "G-9") { name } }`,
    );
    expect(one.body.data).toEqual({
      product: { name: 'Nut', stock: { totals: { onHand: 3 } } },
      stock: { totals: { onHand: 7 } },
      missing: null,
    });
    const low = await gql(`{ lowStock(threshold: 4) { items { sku location available } nextCursor } }`);
    expect(low.body.data!.lowStock).toEqual({
      items: [
        { sku: 'G-1', location: 'paris', available: 2 },
        { sku: 'G-2', location: 'berlin', available: 3 },
      ],
      nextCursor: null,
    });
  });

  it('keeps tenants apart', async () => {
    await accepted(REGISTER, { sku: 'G-1', name: 'Globex bolt', unit: 'ea' }, 'globex');
    const globex = await eventually(
      async () => {
        const res = await gql(
          `{ products { items { sku name stock { version } } } stock(sku: "G-2") { version } }`,
          {},
          'globex',
        );
        return res.body.data?.products.items.length === 1 ? res : undefined;
      },
      20_000,
      'globex product',
    );
    expect(globex.body.data).toEqual({
      products: { items: [{ sku: 'G-1', name: 'Globex bolt', stock: null }] },
      stock: null,
    });
    const initech = await gql(`{ products { items { sku } } product(sku: "G-1") { name } }`, {}, 'initech');
    expect(initech.body.data).toEqual({ products: { items: [] }, product: null });
  });

  it('resolves aliases', async () => {
    await accepted(REGISTER_ALIAS, { alias: 'orders', context: 'backend', canonical: 'order-service' }, 'acme');
    const resolved = await eventually(
      async () => {
        const res = await gql(`{ resolveAlias(context: backend, alias: "orders") { canonical version } }`);
        return res.body.data?.resolveAlias ? res : undefined;
      },
      20_000,
      'alias resolves',
    );
    expect(resolved.body.data).toEqual({ resolveAlias: { canonical: 'order-service', version: 1 } });
    expect(
      (await gql(`{ resolveAlias(context: backend, alias: "orders") { canonical } }`, {}, 'globex')).body.data,
    ).toEqual({ resolveAlias: null });
  });

  it('reads single entities through the read-through cache of the REST routes: it refills what REST then hits', async () => {
    const rest = async (path: string) =>
      fetch(`${platform.urls['query-api']}${path}`, {
        headers: await withCredential(platform, { 'X-Tenant-Id': 'acme' }),
      });
    const keys = {
      stock: stockCacheKey(platform.prefix, 'acme', 'G-1'),
      product: productCacheKey(platform.prefix, 'acme', 'G-2'),
      alias: aliasResolveKey(platform.prefix, 'acme', 'backend', 'orders'),
    };
    await platform.redis.del(Object.values(keys));
    const res = await gql(
      `{ stock(sku: "G-1") { version } product(sku: "G-2") { version } resolveAlias(context: backend, alias: "orders") { canonical } }`,
    );
    expect(res.body).toEqual({
      data: { stock: { version: 2 }, product: { version: 1 }, resolveAlias: { canonical: 'order-service' } },
    });
    expect(JSON.parse((await platform.redis.get(keys.stock))!)).toMatchObject({ sku: 'G-1', version: 2 });
    expect(JSON.parse((await platform.redis.get(keys.product))!)).toMatchObject({ sku: 'G-2', version: 1 });
    expect(JSON.parse((await platform.redis.get(keys.alias))!)).toMatchObject({
      canonical: 'order-service',
      version: 1,
    });
    for (const path of ['/v1/inventory/G-1', '/v1/catalog/products/G-2', '/api/aliases/resolve/backend/orders'])
      expect({ path, cache: (await rest(path)).headers.get('x-cache') }).toEqual({ path, cache: 'hit' });
  });

  const subscribe = (query: string, tenant = 'acme') => subscribeAs(platform, query, tenant);

  it('streams stockChanged over Server-Sent Events, for the tenant and SKU subscribed only', async () => {
    const stream = await subscribe(
      `subscription { stockChanged(sku: "G-2") { sku version stock { totals { onHand } } } }`,
    );
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain('text/event-stream');
      // Changes the subscription must not see: another tenant's G-2, another SKU of acme; projected before acme's G-2 changes.
      await accepted(RECEIVE, { sku: 'G-2', location: 'berlin', quantity: 77 }, 'globex');
      await accepted(RECEIVE, { sku: 'G-3', location: 'berlin', quantity: 1 }, 'acme');
      await eventually(
        async () => {
          const [g, a] = await Promise.all([
            gql(`{ stock(sku: "G-2") { version } }`, {}, 'globex'),
            gql(`{ stock(sku: "G-3") { version } }`),
          ]);
          return g.body.data?.stock && a.body.data?.stock ? true : undefined;
        },
        20_000,
        'the other changes projected',
      );
      await accepted(RECEIVE, { sku: 'G-2', location: 'berlin', quantity: 4 }, 'acme');
      expect(await stream.next()).toEqual({
        data: { stockChanged: { sku: 'G-2', version: 2, stock: { totals: { onHand: 7 } } } },
      });
    } finally {
      stream.close();
    }
  });

  it('streams aliasChanged for the context subscribed, with the resolution after the change', async () => {
    const stream = await subscribe(
      `subscription { aliasChanged(context: frontend) { context alias version resolution { canonical } } }`,
    );
    try {
      expect(stream.status).toBe(200);
      await accepted(REGISTER_ALIAS, { alias: 'cart', context: 'backend', canonical: 'cart-service' }, 'acme');
      await eventually(
        async () =>
          (await gql(`{ resolveAlias(context: backend, alias: "cart") { canonical } }`)).body.data?.resolveAlias
            ? true
            : undefined,
        20_000,
        'backend alias',
      );
      await accepted(REGISTER_ALIAS, { alias: 'shop', context: 'frontend', canonical: 'shop-ui' }, 'acme');
      expect(await stream.next()).toEqual({
        data: {
          aliasChanged: { context: 'frontend', alias: 'shop', version: 3, resolution: { canonical: 'shop-ui' } },
        },
      });
      expect(await metric('verity_graphql_subscriptions')).toBe(1);
    } finally {
      stream.close();
    }
    // A client that goes away leaves no subscription behind.
    await eventually(
      async () => ((await metric('verity_graphql_subscriptions')) === 0 ? true : undefined),
      10_000,
      'subscription released',
    );
  });

  it('answers bad input with GraphQL errors, never a 500', async () => {
    const unknownField = await gql(`{ products { items { nope } } }`);
    expect(unknownField.status).toBeLessThan(500);
    expect(unknownField.body.errors?.[0]?.message).toContain('nope');
    const wrongType = await gql(`{ stock(sku: 5) { sku } }`);
    expect(wrongType.status).toBeLessThan(500);
    expect(wrongType.body.errors?.[0]?.message).toMatch(/String/);
    const outOfRange = await gql(`{ products(first: 0) { items { sku } } }`);
    expect(outOfRange.status).toBe(200);
    expect(outOfRange.body.errors?.[0]).toMatchObject({
      message: 'first: must be between 1 and 200',
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    });
    const badSku = await gql(`{ stock(sku: "no spaces") { sku } }`);
    expect(badSku.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'sku' });
    const badCursor = await gql(`{ products(after: "garbage!") { items { sku } } }`);
    expect(badCursor.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    // The tenant comes from the credential: a header that is no tenant id is 400 for anyone, before any read;
    // another tenant is 403 but for a platform operator.
    const operator = await platform.credential({ roles: ['reader', 'platform-operator'] });
    for (const credential of [await platform.credential(), operator]) {
      const badTenant = await gql(`{ products { items { sku } } }`, {}, 'Not A Tenant', credential);
      expect({ status: badTenant.status, body: badTenant.body }).toMatchObject({
        status: 400,
        body: { code: 'invalid_header', header: 'X-Tenant-Id' },
      });
    }
    const foreign = await gql(`{ products { items { sku } } }`, {}, 'other-tenant', await platform.credential());
    expect({ status: foreign.status, body: foreign.body }).toMatchObject({
      status: 403,
      body: { code: 'foreign_tenant' },
    });
  });

  it('honours X-Consistency-Token: each of 20 successive writes is read back at once, never older, though the cache held the previous value', async () => {
    const register = await postCommand(
      platform,
      REGISTER,
      { sku: 'G-RYW', name: 'v0', unit: 'ea' },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(register.status).toBe(200);
    const withToken = (reply: { body: Record<string, unknown> }) => ({
      'X-Consistency-Token': String(reply.body.consistencyToken),
    });
    const PRODUCT = `{ product(sku: "G-RYW") { name version } }`;
    const STOCK = `{ stock(sku: "G-RYW") { version totals { onHand } } }`;
    const stale: string[] = [];
    for (let i = 1; i <= 20; i += 1) {
      // Without a token first: the read-through keeps the value it serves, the one the next write replaces.
      await gql(PRODUCT);
      await gql(STOCK);
      const update = await postCommand(
        platform,
        'catalog.UpdateProduct',
        { sku: 'G-RYW', name: `v${i}` },
        { 'X-Tenant-Id': 'acme' },
      );
      const receipt = await postCommand(
        platform,
        RECEIVE,
        { sku: 'G-RYW', location: 'berlin', quantity: 1 },
        { 'X-Tenant-Id': 'acme' },
      );
      expect([update.status, receipt.status]).toEqual([200, 200]);
      const product = await gql(PRODUCT, {}, 'acme', withToken(update));
      const stock = await gql(STOCK, {}, 'acme', withToken(receipt));
      for (const [name, res] of [
        ['product', product],
        ['stock', stock],
      ] as const) {
        expect({
          name,
          status: res.status,
          errors: res.body.errors,
          consistency: res.body.extensions?.consistency,
          header: res.headers.get('x-consistency'),
        }).toEqual({
          name,
          status: 200,
          errors: undefined,
          consistency: 'fresh',
          header: 'fresh',
        });
      }
      const seenProduct = product.body.data!.product as { name: string; version: number } | null;
      const seenStock = stock.body.data!.stock as { version: number; totals: { onHand: number } } | null;
      if (seenProduct?.name !== `v${i}` || seenProduct.version < (update.body.version as number))
        stale.push(`write ${i}: product ${JSON.stringify(seenProduct)} after version ${String(update.body.version)}`);
      if (seenStock?.totals.onHand !== i || seenStock.version < (receipt.body.version as number))
        stale.push(`write ${i}: stock ${JSON.stringify(seenStock)} after version ${String(receipt.body.version)}`);
    }
    expect(stale).toEqual([]);
  });

  it('answers a token the projection does not reach in time as stale, and a read without a token without consistency', async () => {
    const catalogEvents = contextTopics('catalog', platform.prefix).events;
    const ahead = encodeConsistencyToken({ topic: catalogEvents, offsets: { 0: '1000000000' } });
    const res = await gql(`{ product(sku: "G-1") { sku } }`, {}, 'acme', { 'X-Consistency-Token': ahead });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { product: { sku: 'G-1' } }, extensions: { consistency: 'stale' } });
    expect(res.headers.get('x-consistency')).toBe('stale');
    const plain = await gql(`{ product(sku: "G-1") { sku } }`);
    expect(plain.body).toEqual({ data: { product: { sku: 'G-1' } } });
    expect(plain.headers.get('x-consistency')).toBeNull();
  });

  it.each([
    ['not a token', 'garbage!', /not base64url JSON/],
    [
      'a token of no events topic GraphQL reads',
      encodeConsistencyToken({ topic: 'elsewhere.events', offsets: { 0: '1' } }),
      /token is for elsewhere\.events/,
    ],
  ])('answers %s with invalid_consistency_token, 400, nothing resolved', async (_name, token, message) => {
    const res = await gql(`{ product(sku: "G-1") { sku } }`, {}, 'acme', { 'X-Consistency-Token': token });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([
      {
        message: expect.stringMatching(message),
        extensions: { code: 'invalid_consistency_token', header: 'X-Consistency-Token' },
      },
    ]);
  });
});
