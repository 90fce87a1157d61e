import { contextTopics } from '@verity/events';
import { quoteCacheKey, readSkuRulesOf } from '@verity/projection-pricing';
import type { KafkaMessage } from 'kafkajs';
import { graphqlAs, subscribeAs, type GraphqlResponse } from './testing/graphql-client';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const CREATE = 'pricing.CreatePriceList';
const BASE = 'pricing.SetBasePrice';
const CUSTOMER = 'pricing.SetCustomerPrice';
const TIERS = 'pricing.SetQuantityTiers';
const REPLACE = 'pricing.ReplaceBasePrice';
const REMOVE = 'pricing.RemoveBasePrice';
const PUT = 'pricing.PutBasePrice';

const JAN = '2026-01-01T00:00:00.000Z';
const NEXT_YEAR = '2027-01-01T00:00:00.000Z';
const FUTURE = '2030-01-01T00:00:00.000Z';

const QUOTE = `query Quote($priceListId: String!, $customer: String!, $sku: String!, $quantity: Int!, $at: String) {
  quote(priceListId: $priceListId, customer: $customer, sku: $sku, quantity: $quantity, at: $at) { priceListId customerId sku quantity at unitPrice total currency rule effectiveFrom effectiveTo }
}`;
const PRICE_LIST = `query List($id: String!) {
  priceList(id: $id) { priceListId name currency version updatedAt rules { kind sku customerId unitPrice tiers { minQuantity unitPrice } effectiveFrom effectiveTo version } }
}`;

describe('pricing through the real stack: gateway → Kafka → processor → projector → query-api', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;
  let token = '';
  const acme = { 'X-Tenant-Id': 'acme' };
  const globex = { 'X-Tenant-Id': 'globex' };

  beforeAll(async () => {
    platform = await startTestPlatform();
    topics = contextTopics('pricing', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const send = async (type: string, body: Record<string, unknown>, headers: Record<string, string> = acme) => {
    const res = await postCommand(platform, type, body, headers);
    if (res.status === 200) token = String(res.body.consistencyToken);
    return res;
  };
  const query = async (path: string, headers: Record<string, string> = acme) => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, { ...headers, ...(token ? { 'X-Consistency-Token': token } : {}) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
    };
  };
  const quote = (params: Record<string, string>, headers: Record<string, string> = acme) =>
    query(`/v1/pricing/quote?${new URLSearchParams(params).toString()}`, headers);
  const gql = (query: string, variables: Record<string, unknown> = {}, tenant = 'acme') =>
    graphqlAs(platform, query, variables, tenant);
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${platform.urls['query-api']}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  const recordsOf = (records: KafkaMessage[], streamId: string) =>
    records.filter((r) => r.key?.toString() === streamId);

  it('creates a list, sets base, customer and tier prices, and quotes by precedence', async () => {
    const created = await send(CREATE, { priceListId: 'PL-1', name: 'Wholesale', currency: 'eur' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      streamId: 'acme/PL-1',
      version: 1,
      events: [{ type: 'verity.pricing.PriceListCreated', topic: topics.events }],
    });

    for (const [type, body] of [
      [BASE, { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, effectiveTo: NEXT_YEAR }],
      [BASE, { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1399, effectiveFrom: NEXT_YEAR }],
      [BASE, { priceListId: 'PL-1', sku: 'SKU-2', unitPrice: 500, effectiveFrom: JAN }],
      [BASE, { priceListId: 'PL-1', sku: 'SKU-F', unitPrice: 1500, effectiveFrom: FUTURE }],
      [CUSTOMER, { priceListId: 'PL-1', customerId: 'C-VIP', sku: 'SKU-1', unitPrice: 999, effectiveFrom: JAN }],
      [
        TIERS,
        {
          priceListId: 'PL-1',
          sku: 'SKU-1',
          tiers: [
            { minQuantity: 1, unitPrice: 1250 },
            { minQuantity: 10, unitPrice: 1100 },
          ],
          effectiveFrom: JAN,
        },
      ],
      [
        TIERS,
        {
          priceListId: 'PL-1',
          sku: 'SKU-1',
          customerId: 'C-BULK',
          tiers: [
            { minQuantity: 1, unitPrice: 1200 },
            { minQuantity: 100, unitPrice: 900 },
          ],
          effectiveFrom: JAN,
        },
      ],
    ] as const) {
      const res = await send(type, body);
      expect({ type, status: res.status, body: res.body }).toMatchObject({ type, status: 200 });
    }

    // The Avro events decode through the registry, money as integers.
    const records = await platform.readTopic(topics.events, (m) => recordsOf(m, 'acme/PL-1').length >= 8);
    const tiers = recordsOf(records, 'acme/PL-1')[7]!;
    expect(await platform.registry.decode(tiers.value!)).toEqual({
      priceListId: 'PL-1',
      sku: 'SKU-1',
      customerId: 'C-BULK',
      tiers: [
        { minQuantity: 1, unitPrice: 1200 },
        { minQuantity: 100, unitPrice: 900 },
      ],
      effectiveFrom: JAN,
      effectiveTo: null,
    });

    const at = '2026-11-23T12:00:00Z';
    const vip = await quote({ priceListId: 'PL-1', customerId: 'C-VIP', sku: 'SKU-1', quantity: '5', at });
    expect(vip.status).toBe(200);
    expect(vip.headers.get('x-consistency')).toBe('fresh');
    expect(vip.body).toMatchObject({
      unitPrice: 999,
      total: 4995,
      currency: 'EUR',
      rule: 'customer_override',
      effectiveFrom: JAN,
      effectiveTo: null,
    });
    expect(
      (await quote({ priceListId: 'PL-1', customerId: 'C-BULK', sku: 'SKU-1', quantity: '100', at })).body,
    ).toMatchObject({ unitPrice: 900, total: 90000, rule: 'customer_tier' });
    expect(
      (await quote({ priceListId: 'PL-1', customerId: 'C-BULK', sku: 'SKU-1', quantity: '99', at })).body,
    ).toMatchObject({ unitPrice: 1200, rule: 'customer_tier' });
    expect(
      (await quote({ priceListId: 'PL-1', customerId: 'C-OTHER', sku: 'SKU-1', quantity: '10', at })).body,
    ).toMatchObject({ unitPrice: 1100, total: 11000, rule: 'tier' });
    expect((await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '3', at })).body).toMatchObject({
      unitPrice: 500,
      total: 1500,
      rule: 'base',
      currency: 'EUR',
    });

    // Without a token the second read comes from the cache.
    token = '';
    await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '3', at });
    const cached = await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '4', at });
    expect(cached.headers.get('x-cache')).toBe('hit');
    expect(cached.body).toMatchObject({ unitPrice: 500, total: 2000 });

    // GraphQL answers exactly what REST answers ...
    for (const [customer, sku, quantity] of [
      ['C-VIP', 'SKU-1', 5],
      ['C-BULK', 'SKU-1', 100],
      ['C-OTHER', 'SKU-1', 10],
      ['C-OTHER', 'SKU-2', 3],
    ] as const) {
      const rest = await quote({ priceListId: 'PL-1', customerId: customer, sku, quantity: String(quantity), at });
      expect({
        customer,
        sku,
        quantity,
        answer: (await gql(QUOTE, { priceListId: 'PL-1', customer, sku, quantity, at })).body,
      }).toEqual({ customer, sku, quantity, answer: { data: { quote: rest.body } } });
    }
    // ... through the same cache: a quote GraphQL reads refills the entry REST then hits.
    const sku2 = quoteCacheKey(platform.prefix, 'acme', 'PL-1', 'SKU-2');
    await platform.redis.del(sku2);
    expect(
      (await gql(QUOTE, { priceListId: 'PL-1', customer: 'C-OTHER', sku: 'SKU-2', quantity: 4, at })).body.data?.quote,
    ).toMatchObject({ unitPrice: 500, total: 2000 });
    expect(JSON.parse((await platform.redis.get(sku2))!)).toMatchObject({
      tenant: 'acme',
      priceListId: 'PL-1',
      sku: 'SKU-2',
    });
    expect((await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '4', at })).headers.get('x-cache')).toBe('hit');

    // A new rule invalidates the SKU's cached quotes after the projector commits: a read without a token sees it soon.
    expect(
      (
        await send(CUSTOMER, {
          priceListId: 'PL-1',
          customerId: 'C-VIP',
          sku: 'SKU-2',
          unitPrice: 450,
          effectiveFrom: JAN,
        })
      ).status,
    ).toBe(200);
    token = '';
    await eventually(
      async () => {
        const res = await quote({ priceListId: 'PL-1', customerId: 'C-VIP', sku: 'SKU-2', quantity: '1', at });
        return res.body.rule === 'customer_override' ? res : undefined;
      },
      10_000,
      'invalidated quote',
    );

    // The list with its rules, ETag = version.
    const list = await query('/v1/pricing/price-lists/PL-1');
    expect(list.status).toBe(200);
    expect(list.headers.get('etag')).toBe('"9"');
    expect(list.body).toMatchObject({
      tenant: 'acme',
      priceListId: 'PL-1',
      name: 'Wholesale',
      currency: 'EUR',
      version: 9,
    });
    expect((list.body.rules as unknown[]).length).toBe(8);
    expect((await query('/v1/pricing/price-lists/PL-1', { ...acme, 'If-None-Match': '"9"' })).status).toBe(304);
    expect({ tenant: 'acme', ...(await gql(PRICE_LIST, { id: 'PL-1' })).body.data?.priceList }).toEqual(list.body);
    expect(
      await platform.db
        .withSchema(platform.schema)
        .table('price_rules')
        .where({ tenant: 'acme', price_list_id: 'PL-1' })
        .count({ n: '*' }),
    ).toEqual([{ n: '8' }]);
  });

  it('future-dated prices: not in effect now, in effect at their date', async () => {
    const now = await quote({ priceListId: 'PL-1', sku: 'SKU-F', quantity: '1' });
    expect(now.status).toBe(404);
    expect(now.headers.get('content-type')).toContain('application/problem+json');
    expect(now.body).toMatchObject({ status: 404, code: 'no_price', sku: 'SKU-F' });
    expect(
      (await quote({ priceListId: 'PL-1', sku: 'SKU-F', quantity: '2', at: '2030-06-01T00:00:00Z' })).body,
    ).toMatchObject({ unitPrice: 1500, total: 3000, rule: 'base', effectiveFrom: FUTURE });
    // The open-ended override keeps winning after SKU-1's base price changes at the new year.
    expect(
      (
        await quote({
          priceListId: 'PL-1',
          customerId: 'C-VIP',
          sku: 'SKU-1',
          quantity: '1',
          at: '2027-06-01T00:00:00Z',
        })
      ).body,
    ).toMatchObject({ unitPrice: 999, rule: 'customer_override' });
  });

  it('GraphQL prices every product of a page for a customer in one batch', async () => {
    for (const sku of ['SKU-1', 'SKU-2', 'SKU-F'])
      expect(
        (await postCommand(platform, 'catalog.RegisterProduct', { sku, name: `Product ${sku}`, unit: 'EA' }, acme))
          .status,
      ).toBe(200);
    const PRICES = `{ products(first: 10) { items { sku price(priceListId: "PL-1", customer: "C-VIP", quantity: 2, at: "2026-11-23T12:00:00Z") { unitPrice total rule } } } }`;
    await eventually(
      async () => ((await gql(PRICES)).body.data?.products.items.length === 3 ? true : undefined),
      20_000,
      'three products',
    );
    const batches = await metric('verity_graphql_price_batches_total');
    const pairs = await metric('verity_graphql_price_batch_skus_total');
    const page = await gql(PRICES);
    expect(page.body).toEqual({
      data: {
        products: {
          items: [
            { sku: 'SKU-1', price: { unitPrice: 999, total: 1998, rule: 'customer_override' } },
            { sku: 'SKU-2', price: { unitPrice: 450, total: 900, rule: 'customer_override' } },
            { sku: 'SKU-F', price: null },
          ],
        },
      },
    });
    expect((await metric('verity_graphql_price_batches_total')) - batches).toBe(1);
    expect((await metric('verity_graphql_price_batch_skus_total')) - pairs).toBe(3);
    // The batch reader issues two SQL queries per list, whatever the number of SKUs (counted on a knex of our own).
    const sql: string[] = [];
    const onQuery = (q: { sql: string }) => sql.push(q.sql);
    platform.db.on('query', onQuery);
    try {
      const rules = await readSkuRulesOf(platform.db, platform.schema, 'acme', 'PL-1', [
        'SKU-1',
        'SKU-2',
        'SKU-F',
        'SKU-NONE',
      ]);
      expect(Object.fromEntries([...rules].map(([sku, entry]) => [sku, entry.rules.length]))).toEqual({
        'SKU-1': 5,
        'SKU-2': 2,
        'SKU-F': 1,
        'SKU-NONE': 0,
      });
    } finally {
      platform.db.off('query', onQuery);
    }
    expect(sql).toHaveLength(2);
    // An unknown list is an error naming it, on every product priced with it.
    const unknown = await gql(
      `{ products(first: 1) { items { sku price(priceListId: "PL-404", customer: "C-VIP") { total } } } }`,
    );
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: 'priceListId: no price list PL-404',
      extensions: { code: 'NOT_FOUND', argument: 'priceListId' },
    });
  });

  it('an overlapping range is a 422 naming the existing range, and appends nothing', async () => {
    const before = await platform.endOffsets(topics.events);
    const res = await send(BASE, {
      priceListId: 'PL-1',
      sku: 'SKU-1',
      unitPrice: 1199,
      effectiveFrom: '2026-06-01T00:00:00Z',
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: 'overlapping_effective_range',
      existingEffectiveFrom: JAN,
      existingEffectiveTo: NEXT_YEAR,
    });
    for (const [type, body, code] of [
      [CREATE, { priceListId: 'PL-1', name: 'Again', currency: 'USD' }, 'price_list_exists'],
      [BASE, { priceListId: 'PL-404', sku: 'SKU-1', unitPrice: 1, effectiveFrom: JAN }, 'unknown_price_list'],
      [
        BASE,
        { priceListId: 'PL-1', sku: 'SKU-9', unitPrice: 1, effectiveFrom: NEXT_YEAR, effectiveTo: JAN },
        'invalid_effective_range',
      ],
      [
        TIERS,
        { priceListId: 'PL-1', sku: 'SKU-9', tiers: [{ minQuantity: 5, unitPrice: 1 }], effectiveFrom: JAN },
        'invalid_tiers',
      ],
    ] as const) {
      const rejected = await send(type, body);
      expect({ type, status: rejected.status, code: rejected.body.code }).toEqual({ type, status: 422, code });
    }
    expect(await platform.endOffsets(topics.events)).toEqual(before);
  });

  it('keeps tenants apart, through REST and GraphQL', async () => {
    expect(
      (await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '1' }, { 'X-Tenant-Id': 'globex' })).status,
    ).toBe(404);
    expect((await query('/v1/pricing/price-lists/PL-1', { 'X-Tenant-Id': 'globex' })).status).toBe(404);
    const hidden = await gql(
      `{ quote(priceListId: "PL-1", customer: "C-VIP", sku: "SKU-1", quantity: 1) { total } priceList(id: "PL-1") { name } products { items { sku } } }`,
      {},
      'globex',
    );
    expect(hidden.body.data).toEqual({ quote: null, priceList: null, products: { items: [] } });
    expect(hidden.body.errors).toEqual([
      expect.objectContaining({ path: ['quote'], extensions: { code: 'NOT_FOUND', argument: 'priceListId' } }),
    ]);
    expect(
      (await send(CREATE, { priceListId: 'PL-1', name: 'Retail', currency: 'USD' }, { 'X-Tenant-Id': 'globex' }))
        .status,
    ).toBe(200);
    expect(
      (
        await send(
          BASE,
          { priceListId: 'PL-1', sku: 'SKU-2', unitPrice: 777, effectiveFrom: JAN },
          { 'X-Tenant-Id': 'globex' },
        )
      ).status,
    ).toBe(200);
    expect(
      (await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '1' }, { 'X-Tenant-Id': 'globex' })).body,
    ).toMatchObject({ unitPrice: 777, currency: 'USD' });
    expect((await quote({ priceListId: 'PL-1', sku: 'SKU-2', quantity: '1' })).body).toMatchObject({
      unitPrice: 500,
      currency: 'EUR',
    });
    const both = `{ quote(priceListId: "PL-1", customer: "C-VIP", sku: "SKU-2", quantity: 1) { unitPrice currency rule } priceList(id: "PL-1") { name rules { unitPrice } } }`;
    expect((await gql(both, {}, 'globex')).body).toEqual({
      data: {
        quote: { unitPrice: 777, currency: 'USD', rule: 'base' },
        priceList: { name: 'Retail', rules: [{ unitPrice: 777 }] },
      },
    });
    expect((await gql(both)).body.data?.quote).toEqual({ unitPrice: 450, currency: 'EUR', rule: 'customer_override' });
  });

  it('streams priceChanged over Server-Sent Events: the customer quote after each change of the tenant, list and SKU subscribed', async () => {
    for (const tenant of [acme, globex])
      expect((await send(CREATE, { priceListId: 'PL-S', name: 'Streamed', currency: 'EUR' }, tenant)).status).toBe(200);
    const stream = await subscribeAs(
      platform,
      `subscription { priceChanged(priceListId: "PL-S", sku: "SKU-S", customer: "C-1", quantity: 3) { priceListId sku customerId version quote { unitPrice total currency rule } } }`,
    );
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain('text/event-stream');
      // Changes it must not see, each projected before the one it must: another tenant's SKU-S, another SKU of the list, SKU-S in another list.
      for (const [body, headers] of [
        [{ priceListId: 'PL-S', sku: 'SKU-S', unitPrice: 1, effectiveFrom: JAN }, globex],
        [{ priceListId: 'PL-S', sku: 'SKU-T', unitPrice: 2, effectiveFrom: JAN }, acme],
        [{ priceListId: 'PL-1', sku: 'SKU-S', unitPrice: 3, effectiveFrom: JAN }, acme],
      ] as const) {
        expect((await send(BASE, body, headers)).status).toBe(200);
        expect(
          (await quote({ priceListId: body.priceListId, sku: body.sku, quantity: '1' }, headers)).body,
        ).toMatchObject({ unitPrice: body.unitPrice });
      }
      expect((await send(BASE, { priceListId: 'PL-S', sku: 'SKU-S', unitPrice: 800, effectiveFrom: JAN })).status).toBe(
        200,
      );
      expect(await stream.next()).toEqual({
        data: {
          priceChanged: {
            priceListId: 'PL-S',
            sku: 'SKU-S',
            customerId: 'C-1',
            version: 3,
            quote: { unitPrice: 800, total: 2400, currency: 'EUR', rule: 'base' },
          },
        },
      });
      expect(
        (
          await send(CUSTOMER, {
            priceListId: 'PL-S',
            customerId: 'C-1',
            sku: 'SKU-S',
            unitPrice: 700,
            effectiveFrom: JAN,
          })
        ).status,
      ).toBe(200);
      expect(await stream.next()).toEqual({
        data: {
          priceChanged: {
            priceListId: 'PL-S',
            sku: 'SKU-S',
            customerId: 'C-1',
            version: 4,
            quote: { unitPrice: 700, total: 2100, currency: 'EUR', rule: 'customer_override' },
          },
        },
      });
    } finally {
      stream.close();
    }
  });

  it('replaces and removes a base price line: the quotes, the list and GraphQL follow; new lines keep the overlap rule', async () => {
    const at = '2026-11-23T12:00:00Z';
    const line = { priceListId: 'PL-R', sku: 'SKU-R', effectiveFrom: JAN };
    const price = async (when = at) => quote({ priceListId: 'PL-R', sku: 'SKU-R', quantity: '2', at: when });
    expect((await send(CREATE, { priceListId: 'PL-R', name: 'Revised', currency: 'EUR' })).status).toBe(200);
    expect((await send(BASE, { ...line, unitPrice: 1000, effectiveTo: NEXT_YEAR })).status).toBe(200);
    expect((await send(BASE, { ...line, effectiveFrom: NEXT_YEAR, unitPrice: 1100 })).status).toBe(200);
    expect((await price()).body).toMatchObject({ unitPrice: 1000, total: 2000, rule: 'base' });

    const replaced = await send(REPLACE, { ...line, unitPrice: 1050, effectiveTo: NEXT_YEAR });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      streamId: 'acme/PL-R',
      version: 4,
      events: [{ type: 'verity.pricing.BasePriceReplaced', topic: topics.events }],
    });
    const records = await platform.readTopic(topics.events, (m) => recordsOf(m, 'acme/PL-R').length >= 4);
    expect(await platform.registry.decode(recordsOf(records, 'acme/PL-R')[3]!.value!)).toEqual({
      ...line,
      unitPrice: 1050,
      effectiveTo: NEXT_YEAR,
      previousUnitPrice: 1000,
      previousEffectiveTo: NEXT_YEAR,
    });
    expect((await price()).body).toMatchObject({ unitPrice: 1050, total: 2100, effectiveTo: NEXT_YEAR });
    expect((await price('2027-06-01T00:00:00Z')).body).toMatchObject({ unitPrice: 1100 });

    // The same terms again: accepted, nothing appended.
    const events = await platform.endOffsets(topics.events);
    const again = await send(REPLACE, { ...line, unitPrice: 1050, effectiveTo: NEXT_YEAR });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 4, events: [] });
    // A new end that reaches into the next line, a line that does not exist: 422, nothing appended.
    const overlap = await send(REPLACE, { ...line, unitPrice: 1050, effectiveTo: FUTURE });
    expect(overlap.status).toBe(422);
    expect(overlap.body).toMatchObject({
      code: 'overlapping_effective_range',
      existingEffectiveFrom: NEXT_YEAR,
      existingEffectiveTo: null,
    });
    for (const [type, body] of [
      [REPLACE, { ...line, effectiveFrom: '2026-06-01T00:00:00Z', unitPrice: 1 }],
      [REMOVE, { ...line, sku: 'SKU-NONE' }],
    ] as const) {
      const rejected = await send(type, body);
      expect({ type, status: rejected.status, body: rejected.body }).toMatchObject({
        type,
        status: 422,
        body: { code: 'unknown_price_line', sku: body.sku },
      });
    }
    expect(await platform.endOffsets(topics.events)).toEqual(events);

    const removed = await send(REMOVE, line);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ version: 5, events: [{ type: 'verity.pricing.BasePriceRemoved' }] });
    const gone = await price();
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'no_price', sku: 'SKU-R' });
    expect((await price('2027-06-01T00:00:00Z')).body).toMatchObject({ unitPrice: 1100, rule: 'base' });
    const list = await query('/v1/pricing/price-lists/PL-R');
    expect(list.headers.get('etag')).toBe('"5"');
    expect(list.body.rules).toEqual([expect.objectContaining({ unitPrice: 1100, effectiveFrom: NEXT_YEAR })]);
    expect({ tenant: 'acme', ...(await gql(PRICE_LIST, { id: 'PL-R' })).body.data?.priceList }).toEqual(list.body);
    expect((await send(REMOVE, line)).body).toMatchObject({ code: 'unknown_price_line' });

    // The freed range takes a new line; one overlapping the remaining line is still refused.
    expect((await send(BASE, { ...line, unitPrice: 990, effectiveTo: NEXT_YEAR })).status).toBe(200);
    expect((await price()).body).toMatchObject({ unitPrice: 990, total: 1980 });
    expect((await send(BASE, { ...line, effectiveFrom: '2026-12-01T00:00:00Z', unitPrice: 1 })).body).toMatchObject({
      code: 'overlapping_effective_range',
    });
  });

  it('replacing and removing a line needs a pricing writer of the tenant: 401 without a credential, 403 for another context', async () => {
    const line = { priceListId: 'PL-R', sku: 'SKU-R', effectiveFrom: JAN };
    const events = await platform.endOffsets(topics.events);
    const stockWriter = await platform.credential({ tenant: 'acme', roles: ['writer:inventory'] });
    for (const [type, body] of [
      [REPLACE, { ...line, unitPrice: 1 }],
      [REMOVE, line],
    ] as const) {
      expect((await postCommand(platform, type, body, { authorization: 'Bearer not-a-credential' })).status).toBe(401);
      const forbidden = await postCommand(platform, type, body, stockWriter);
      expect({ type, status: forbidden.status }).toEqual({ type, status: 403 });
    }
    expect(await platform.endOffsets(topics.events)).toEqual(events);
    expect(
      (await quote({ priceListId: 'PL-R', sku: 'SKU-R', quantity: '1', at: '2026-11-23T12:00:00Z' })).body,
    ).toMatchObject({
      unitPrice: 990,
    });
  });

  it('puts a base price line: added when new, replaced when it exists, the same terms append nothing', async () => {
    const at = '2026-11-23T12:00:00Z';
    const line = { priceListId: 'PL-P', sku: 'SKU-P', effectiveFrom: JAN };
    const price = async () => quote({ priceListId: 'PL-P', sku: 'SKU-P', quantity: '3', at });
    expect((await send(CREATE, { priceListId: 'PL-P', name: 'Put', currency: 'EUR' })).status).toBe(200);

    const added = await send(PUT, { ...line, unitPrice: 700 });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      streamId: 'acme/PL-P',
      version: 2,
      events: [{ type: 'verity.pricing.BasePriceSet', topic: topics.events }],
    });
    expect((await price()).body).toMatchObject({ unitPrice: 700, total: 2100, rule: 'base', effectiveTo: null });

    const replaced = await send(PUT, { ...line, unitPrice: 750, effectiveTo: NEXT_YEAR });
    expect(replaced.body).toMatchObject({ version: 3, events: [{ type: 'verity.pricing.BasePriceReplaced' }] });
    const records = await platform.readTopic(topics.events, (m) => recordsOf(m, 'acme/PL-P').length >= 3);
    expect(await platform.registry.decode(recordsOf(records, 'acme/PL-P')[2]!.value!)).toEqual({
      ...line,
      unitPrice: 750,
      effectiveTo: NEXT_YEAR,
      previousUnitPrice: 700,
      previousEffectiveTo: null,
    });
    expect((await price()).body).toMatchObject({ unitPrice: 750, total: 2250, effectiveTo: NEXT_YEAR });

    // The same terms again: accepted, nothing appended; a new line inside the existing one: 422.
    const events = await platform.endOffsets(topics.events);
    const again = await send(PUT, { ...line, unitPrice: 750, effectiveTo: NEXT_YEAR });
    expect([again.status, again.body.version, again.body.events]).toEqual([200, 3, []]);
    const inside = await send(PUT, { ...line, effectiveFrom: '2026-06-01T00:00:00Z', unitPrice: 1 });
    expect(inside.status).toBe(422);
    expect(inside.body).toMatchObject({
      code: 'overlapping_effective_range',
      existingEffectiveFrom: JAN,
      existingEffectiveTo: NEXT_YEAR,
    });
    expect((await send(PUT, { ...line, priceListId: 'PL-NONE', unitPrice: 1 })).body).toMatchObject({
      code: 'unknown_price_list',
    });
    expect(await platform.endOffsets(topics.events)).toEqual(events);

    // A line starting where this one ends is a new line; the list shows both.
    expect((await send(PUT, { ...line, effectiveFrom: NEXT_YEAR, unitPrice: 800 })).body).toMatchObject({
      version: 4,
      events: [{ type: 'verity.pricing.BasePriceSet' }],
    });
    const list = await query('/v1/pricing/price-lists/PL-P');
    expect(list.headers.get('etag')).toBe('"4"');
    expect(list.body.rules).toEqual([
      expect.objectContaining({ unitPrice: 750, effectiveFrom: JAN, effectiveTo: NEXT_YEAR }),
      expect.objectContaining({ unitPrice: 800, effectiveFrom: NEXT_YEAR, effectiveTo: null }),
    ]);

    const stockWriter = await platform.credential({ tenant: 'acme', roles: ['writer:inventory'] });
    const body = { ...line, unitPrice: 1 };
    expect((await postCommand(platform, PUT, body, { authorization: 'Bearer not-a-credential' })).status).toBe(401);
    expect((await postCommand(platform, PUT, body, stockWriter)).status).toBe(403);
    expect((await price()).body).toMatchObject({ unitPrice: 750 });
  });

  describe('bad input gets 400 problem+json naming the field and appends nothing', () => {
    it.each([
      [CREATE, { priceListId: 'PL-9', name: 'x', currency: 'EURO' }, /currency/],
      [BASE, { priceListId: 'PL-1', sku: 'SKU-3', unitPrice: 12.99, effectiveFrom: JAN }, /unitPrice/],
      [BASE, { priceListId: 'PL-1', sku: 'SKU-3', unitPrice: 1299, effectiveFrom: 'soon' }, /effectiveFrom/],
      [REPLACE, { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 12.5, effectiveFrom: JAN }, /unitPrice/],
      [REPLACE, { priceListId: 'PL-1', sku: 'SKU-1', effectiveFrom: JAN }, /unitPrice/],
      [PUT, { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 12.5, effectiveFrom: JAN }, /unitPrice/],
      [PUT, { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1299 }, /effectiveFrom/],
      [PUT, { priceListId: 'PL-1', sku: 'SKU-1', unitPrice: 1299, effectiveFrom: JAN, line: 1 }, /line/],
      [REMOVE, { priceListId: 'PL-1', sku: 'SKU-1' }, /effectiveFrom/],
      [REMOVE, { priceListId: 'PL-1', sku: 'SKU-1', effectiveFrom: 'last year' }, /effectiveFrom/],
      [
        TIERS,
        { priceListId: 'PL-1', sku: 'SKU-3', tiers: [{ minQuantity: 1, unitPrice: -1 }], effectiveFrom: JAN },
        /tiers/,
      ],
    ] as const)('%s %j', async (type, body, detail) => {
      const before = {
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      };
      const res = await postCommand(platform, type, body, acme);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(detail);
      expect({
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      }).toEqual(before);
    });

    it.each([
      ['/v1/pricing/quote?priceListId=PL-1&sku=SKU-1&quantity=0', /quantity/],
      ['/v1/pricing/quote?priceListId=PL-1&sku=SKU-1', /quantity/],
      ['/v1/pricing/quote?priceListId=PL-1&sku=SKU-1&quantity=1&at=tomorrow', /at/],
      ['/v1/pricing/quote?sku=SKU-1&quantity=1', /priceListId/],
      ['/v1/pricing/price-lists/not%20an%20id', /priceListId/],
    ])('GET %s', async (path, detail) => {
      const res = await query(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(detail);
    });

    it.each([
      [
        `{ quote(priceListId: "PL-1", customer: "C-1", sku: "SKU-1", quantity: 0) { total } }`,
        /^quantity: at least 1$/,
        'quantity',
      ],
      [
        `{ quote(priceListId: "PL-1", sku: "SKU-1", quantity: 1) { total } }`,
        /argument "customer" of type "String!" is required/,
        undefined,
      ],
      [
        `{ quote(priceListId: "PL-1", customer: "C-1", sku: "SKU-1", quantity: 1, at: "tomorrow") { total } }`,
        /^at: an ISO 8601 instant/,
        'at',
      ],
      [
        `{ quote(priceListId: "PL 1", customer: "C-1", sku: "SKU-1", quantity: 1) { total } }`,
        /^priceListId: /,
        'priceListId',
      ],
      [
        `{ products { items { price(priceListId: "PL-1", customer: "C-1", quantity: -2) { total } } } }`,
        /^quantity: at least 1$/,
        'quantity',
      ],
      [
        `subscription { priceChanged(priceListId: "PL-1", sku: "SKU-1", customer: "") { version } }`,
        /^customer: /,
        'customer',
      ],
    ])('GraphQL %s', async (source, message, argument) => {
      let answer: Pick<GraphqlResponse, 'status' | 'body'>;
      if (source.startsWith('subscription')) {
        const stream = await subscribeAs(platform, source);
        answer = { status: stream.status, body: (await stream.next()) as GraphqlResponse['body'] };
        stream.close();
      } else {
        answer = await gql(source);
      }
      const { status, body } = answer;
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.message).toMatch(message);
      if (argument) expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    });
  });
});
