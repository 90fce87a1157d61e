import { fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { productCacheKey } from '@verity/projection-catalog-products';
import type { KafkaMessage } from 'kafkajs';
import { graphqlAs, subscribeAs } from './testing/graphql-client';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const REGISTER = 'catalog.RegisterProduct';
const UPDATE = 'catalog.UpdateProduct';
const DISCONTINUE = 'catalog.DiscontinueProduct';

interface ProductBody {
  tenant: string;
  sku: string;
  name: string;
  description: string | null;
  unit: string;
  attributes: Record<string, string>;
  status: string;
  version: number;
  updatedAt: string;
}
interface PageBody {
  items: ProductBody[];
  nextCursor: string | null;
}

/** Every field of a product that GraphQL and REST both have. */
const PRODUCT = 'sku name description unit attributes { key value } status version updatedAt';
/** A REST product as GraphQL has it: no tenant, attributes as key/value pairs. */
const asGraphql = ({ tenant: _, attributes, ...rest }: ProductBody) => ({
  ...rest,
  attributes: Object.entries(attributes).map(([key, value]) => ({ key, value })),
});

describe('catalog through the real stack: gateway → Kafka → processor → projector → query-api', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;
  const acme = { 'X-Tenant-Id': 'acme' };

  beforeAll(async () => {
    platform = await startTestPlatform();
    topics = contextTopics('catalog', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const query = async (path: string, headers: Record<string, string> = acme) => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, headers),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & ProductBody & PageBody,
    };
  };
  const productRow = (tenant: string, sku: string) =>
    platform.db
      .withSchema(platform.schema)
      .table('products')
      .where({ tenant, sku })
      .first('name', 'description', 'unit', 'attributes', 'status', 'version');
  const recordsOf = (records: KafkaMessage[], streamId: string) =>
    records.filter((r) => r.key?.toString() === streamId);

  it('registers a product: Avro event decodable through the registry, a PostgreSQL row, and the REST answer', async () => {
    const accepted = await postCommand(
      platform,
      REGISTER,
      {
        sku: 'P-100',
        name: 'Bolt M8',
        unit: 'ea',
        description: 'zinc plated',
        attributes: { material: 'steel', thread: 'M8' },
      },
      { ...acme, 'X-Actor': 'alice' },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      streamId: 'acme/P-100',
      version: 1,
      events: [{ type: 'verity.catalog.ProductRegistered', topic: topics.events }],
    });

    const records = await platform.readTopic(topics.events, (m) => recordsOf(m, 'acme/P-100').length >= 1);
    const [record] = recordsOf(records, 'acme/P-100');
    const registeredId = await platform.registry.getLatestSchemaId(`${topics.events}-verity.catalog.ProductRegistered`);
    expect(record!.value!.readInt32BE(1)).toBe(registeredId);
    expect(await platform.registry.decode(record!.value!)).toEqual({
      sku: 'P-100',
      name: 'Bolt M8',
      unit: 'EA',
      description: 'zinc plated',
      attributes: { material: 'steel', thread: 'M8' },
      sourceSystem: 'api',
      sourceTimestamp: fromHeaders(record!.headers).sourceTimestamp,
    });
    expect(fromHeaders(record!.headers)).toMatchObject({
      type: 'verity.catalog.ProductRegistered',
      subject: 'acme/P-100',
      streamVersion: 1,
      tenant: 'acme',
      actor: 'alice',
    });

    // Read-your-writes: with the reply's token the query waits for the projection.
    const read = await query('/v1/catalog/products/P-100', {
      ...acme,
      'X-Consistency-Token': String(accepted.body.consistencyToken),
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-consistency')).toBe('fresh');
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toMatchObject({
      tenant: 'acme',
      sku: 'P-100',
      name: 'Bolt M8',
      unit: 'EA',
      description: 'zinc plated',
      attributes: { material: 'steel', thread: 'M8' },
      status: 'active',
      version: 1,
    });
    expect(await productRow('acme', 'P-100')).toEqual({
      name: 'Bolt M8',
      description: 'zinc plated',
      unit: 'EA',
      attributes: { material: 'steel', thread: 'M8' },
      status: 'active',
      version: 1,
    });
    expect((await query('/v1/catalog/products/P-100', { ...acme, 'If-None-Match': '"1"' })).status).toBe(304);
    const cached = await eventually(
      () => platform.redis.get(`${platform.prefix}:catalog:product:acme:P-100`).then((v) => v ?? undefined),
      10_000,
      'cache key',
    );
    expect(JSON.parse(cached)).toMatchObject({ sku: 'P-100', version: 1 });
  });

  it('updates only what changed, enforces the rules with 422 codes, and lists with cursor pagination and a status filter', async () => {
    for (const sku of ['P-200', 'P-300', 'P-400']) {
      expect((await postCommand(platform, REGISTER, { sku, name: `Product ${sku}`, unit: 'BOX' }, acme)).status).toBe(
        200,
      );
    }
    const updated = await postCommand(platform, UPDATE, { sku: 'P-100', name: 'Bolt M8x40', unit: 'EA' }, acme);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, events: [{ type: 'verity.catalog.ProductUpdated' }] });
    const records = await platform.readTopic(topics.events, (m) => recordsOf(m, 'acme/P-100').length >= 2);
    expect(await platform.registry.decode(recordsOf(records, 'acme/P-100')[1]!.value!)).toMatchObject({
      sku: 'P-100',
      name: 'Bolt M8x40',
      description: null,
      unit: null,
      attributes: null,
      sourceSystem: 'api',
    });

    const discontinued = await postCommand(platform, DISCONTINUE, { sku: 'P-300', reason: 'end of line' }, acme);
    expect(discontinued.status).toBe(200);

    const rejections: [string, Record<string, unknown>, string][] = [
      [REGISTER, { sku: 'P-100', name: 'again', unit: 'EA' }, 'product_already_registered'],
      [UPDATE, { sku: 'P-999', name: 'x' }, 'unknown_product'],
      [DISCONTINUE, { sku: 'P-999' }, 'unknown_product'],
      [UPDATE, { sku: 'P-300', name: 'x' }, 'product_discontinued'],
      [DISCONTINUE, { sku: 'P-300' }, 'product_discontinued'],
      [UPDATE, { sku: 'P-100', name: 'Bolt M8x40' }, 'no_change'],
    ];
    for (const [type, body, code] of rejections) {
      const res = await postCommand(platform, type, body, acme);
      expect({ type, status: res.status, code: res.body.code }).toEqual({ type, status: 422, code });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }

    const single = await query('/v1/catalog/products/P-100', {
      ...acme,
      'X-Consistency-Token': String(updated.body.consistencyToken),
    });
    expect(single.body).toMatchObject({
      name: 'Bolt M8x40',
      description: 'zinc plated',
      unit: 'EA',
      attributes: { material: 'steel', thread: 'M8' },
      version: 2,
    });
    expect(single.headers.get('etag')).toBe('"2"');

    // The other products may sit on other partitions: wait until the list shows the discontinue.
    await eventually(
      async () =>
        (await query('/v1/catalog/products?status=discontinued')).body.items?.length === 1 ? true : undefined,
      20_000,
      'discontinue projected',
    );
    const first = await query('/v1/catalog/products?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items.map((p) => p.sku)).toEqual(['P-100', 'P-200', 'P-300']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await query(`/v1/catalog/products?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [{ sku: 'P-400', status: 'active' }], nextCursor: null });
    expect((await query('/v1/catalog/products?status=discontinued')).body).toMatchObject({
      items: [{ sku: 'P-300', status: 'discontinued', version: 2 }],
      nextCursor: null,
    });
    const active = await query('/v1/catalog/products?status=active&limit=2');
    expect(active.body.items.map((p) => p.sku)).toEqual(['P-100', 'P-200']);
    const activeRest = await query(`/v1/catalog/products?status=active&limit=2&cursor=${active.body.nextCursor}`);
    expect(activeRest.body).toMatchObject({ items: [{ sku: 'P-400' }], nextCursor: null });
  });

  it('keeps tenants apart: another tenant gets 404 and an empty list', async () => {
    const single = await query('/v1/catalog/products/P-100', { 'X-Tenant-Id': 'globex' });
    expect(single.status).toBe(404);
    expect(single.headers.get('content-type')).toContain('application/problem+json');
    expect(single.body).toMatchObject({ status: 404, code: 'not_found' });
    const list = await query('/v1/catalog/products', { 'X-Tenant-Id': 'globex' });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
    // The same SKU registers independently for another tenant.
    const other = await postCommand(
      platform,
      REGISTER,
      { sku: 'P-100', name: 'Other bolt', unit: 'KG' },
      { 'X-Tenant-Id': 'globex' },
    );
    expect(other.status).toBe(200);
    const globex = await query('/v1/catalog/products/P-100', {
      'X-Tenant-Id': 'globex',
      'X-Consistency-Token': String(other.body.consistencyToken),
    });
    expect(globex.body).toMatchObject({ tenant: 'globex', name: 'Other bolt', unit: 'KG', version: 1 });
    expect(
      (await query('/v1/catalog/products', { 'X-Tenant-Id': 'globex' })).body.items.map((p) => `${p.tenant}/${p.sku}`),
    ).toEqual(['globex/P-100']);
    expect((await query('/v1/catalog/products/P-100')).body).toMatchObject({
      tenant: 'acme',
      name: 'Bolt M8x40',
      version: 2,
    });
    expect((await query('/v1/catalog/products')).body.items.every((p) => p.tenant === 'acme')).toBe(true);
  });

  const gql = (
    source: string,
    variables: Record<string, unknown> = {},
    tenant = 'acme',
    headers: Record<string, string> = {},
  ) => graphqlAs(platform, source, variables, tenant, headers);

  it('GraphQL product answers what REST does, per tenant; an unknown SKU is null', async () => {
    for (const [tenant, sku] of [
      ['acme', 'P-100'],
      ['acme', 'P-300'],
      ['globex', 'P-100'],
    ] as const) {
      const rest = await query(`/v1/catalog/products/${sku}`, { 'X-Tenant-Id': tenant });
      expect(rest.status).toBe(200);
      const answer = await gql(`query($sku: String!) { product(sku: $sku) { ${PRODUCT} } }`, { sku }, tenant);
      expect({ tenant, sku, body: answer.body }).toEqual({
        tenant,
        sku,
        body: { data: { product: asGraphql(rest.body) } },
      });
    }
    expect((await gql(`{ product(sku: "P-200") { sku } }`, {}, 'globex')).body).toEqual({ data: { product: null } });
  });

  it('streams productChanged over Server-Sent Events: the product after each change of the tenant and SKU subscribed, its stock read afresh each time', async () => {
    const globex = { 'X-Tenant-Id': 'globex' };
    const projected = (tenant: string, sku: string, version: number) =>
      eventually(
        async () =>
          (
            JSON.parse((await platform.redis.get(productCacheKey(platform.prefix, tenant, sku))) ?? '{}') as {
              version?: number;
            }
          ).version === version
            ? true
            : undefined,
        20_000,
        `${tenant}/${sku} v${version} projected`,
      );
    expect(
      (await postCommand(platform, 'inventory.ReceiveStock', { sku: 'P-200', location: 'berlin', quantity: 5 }, acme))
        .status,
    ).toBe(200);
    expect(
      (await postCommand(platform, REGISTER, { sku: 'P-200', name: 'Globex washer', unit: 'EA' }, globex)).status,
    ).toBe(200);

    const stream = await subscribeAs(
      platform,
      `subscription { productChanged(sku: "P-200") { ${PRODUCT} stock { totals { onHand } } } }`,
    );
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain('text/event-stream');
      // Changes it must not see, each projected (cached, then noticed) before the one it must: the same SKU of another tenant, another SKU of the tenant.
      expect((await postCommand(platform, UPDATE, { sku: 'P-200', name: 'Globex washer XL' }, globex)).status).toBe(
        200,
      );
      expect((await postCommand(platform, UPDATE, { sku: 'P-400', name: 'Product P-400 v2' }, acme)).status).toBe(200);
      await projected('globex', 'P-200', 2);
      await projected('acme', 'P-400', 2);

      const updated = await postCommand(
        platform,
        UPDATE,
        { sku: 'P-200', name: 'Washer M8', attributes: { size: 'M8' } },
        acme,
      );
      expect(updated.status).toBe(200);
      const first = (await stream.next()) as { data: { productChanged: Record<string, unknown> } };
      expect(first).toEqual({
        data: {
          productChanged: {
            sku: 'P-200',
            name: 'Washer M8',
            description: null,
            unit: 'BOX',
            attributes: [{ key: 'size', value: 'M8' }],
            status: 'active',
            version: 2,
            updatedAt: expect.any(String),
            stock: { totals: { onHand: 5 } },
          },
        },
      });
      const { stock: _, ...product } = first.data.productChanged;
      const read = await gql(`{ product(sku: "P-200") { ${PRODUCT} } }`, {}, 'acme', {
        'X-Consistency-Token': String(updated.body.consistencyToken),
      });
      expect(read.body.data!.product).toEqual(product);
      expect(asGraphql((await query('/v1/catalog/products/P-200')).body)).toEqual(product);

      // Stock is not the product: no notice for it, but the next product change shows the stock as it is then.
      const received = await postCommand(
        platform,
        'inventory.ReceiveStock',
        { sku: 'P-200', location: 'berlin', quantity: 3 },
        acme,
      );
      expect(
        (await query('/v1/inventory/P-200', { ...acme, 'X-Consistency-Token': String(received.body.consistencyToken) }))
          .body,
      ).toMatchObject({ totals: { onHand: 8 } });
      expect((await postCommand(platform, DISCONTINUE, { sku: 'P-200' }, acme)).status).toBe(200);
      expect(await stream.next()).toEqual({
        data: {
          productChanged: expect.objectContaining({
            sku: 'P-200',
            name: 'Washer M8',
            status: 'discontinued',
            version: 3,
            stock: { totals: { onHand: 8 } },
          }),
        },
      });
    } finally {
      stream.close();
    }
  });

  it('productChanged with a malformed SKU is BAD_USER_INPUT naming it', async () => {
    const stream = await subscribeAs(platform, `subscription { productChanged(sku: "not a sku") { sku } }`);
    try {
      expect(await stream.next()).toEqual({
        errors: [
          expect.objectContaining({
            message: expect.stringMatching(/^sku: /),
            extensions: { code: 'BAD_USER_INPUT', argument: 'sku' },
          }),
        ],
      });
    } finally {
      stream.close();
    }
  });

  it('a discontinued product refuses new stock receipts and reservations as soon as the discontinue is acknowledged; its stock can still be committed', async () => {
    const inventory = contextTopics('inventory', platform.prefix);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    expect((await postCommand(platform, REGISTER, { sku: 'P-900', name: 'Old bolt', unit: 'EA' }, acme)).status).toBe(
      200,
    );
    expect(
      (await postCommand(platform, 'inventory.ReceiveStock', { sku: 'P-900', location: 'berlin', quantity: 5 }, acme))
        .status,
    ).toBe(200);
    expect(
      (
        await postCommand(
          platform,
          'inventory.ReserveStock',
          { sku: 'P-900', location: 'berlin', quantity: 2, reservationId: 'o-1', expiresAt },
          acme,
        )
      ).status,
    ).toBe(200);
    expect((await postCommand(platform, DISCONTINUE, { sku: 'P-900' }, acme)).status).toBe(200);
    const before = await platform.endOffsets(inventory.events);

    const receipt = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'P-900', location: 'berlin', quantity: 1 },
      acme,
    );
    expect(receipt.status).toBe(422);
    expect(receipt.headers.get('content-type')).toContain('application/problem+json');
    expect(receipt.body).toMatchObject({ status: 422, code: 'product_discontinued', sku: 'P-900' });
    const reservation = await postCommand(
      platform,
      'inventory.ReserveStock',
      { sku: 'P-900', location: 'berlin', quantity: 1, reservationId: 'o-2', expiresAt },
      acme,
    );
    expect(reservation.body).toMatchObject({ status: 422, code: 'product_discontinued' });
    expect(await platform.endOffsets(inventory.events)).toEqual(before);

    const committed = await postCommand(
      platform,
      'inventory.CommitReservation',
      { sku: 'P-900', reservationId: 'o-1' },
      acme,
    );
    expect(committed.body).toMatchObject({ events: [{ type: 'verity.inventory.ReservationCommitted' }] });
    // The same SKU of another tenant is not discontinued, nor is a SKU the catalog does not know.
    expect(
      (
        await postCommand(
          platform,
          'inventory.ReceiveStock',
          { sku: 'P-900', location: 'berlin', quantity: 1 },
          { 'X-Tenant-Id': 'globex' },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await postCommand(
          platform,
          'inventory.ReceiveStock',
          { sku: 'P-UNKNOWN', location: 'berlin', quantity: 1 },
          acme,
        )
      ).status,
    ).toBe(200);
  });

  describe('bad input gets 400 problem+json naming the field and appends nothing', () => {
    const commandCases: [string, string, Record<string, unknown>, RegExp][] = [
      ['register without a name', REGISTER, { sku: 'P-500', unit: 'EA' }, /name/],
      ['register with a bad unit', REGISTER, { sku: 'P-500', name: 'x', unit: 'kilo gram' }, /unit/],
      ['register with an unknown field', REGISTER, { sku: 'P-500', name: 'x', unit: 'EA', colour: 'red' }, /colour/],
      [
        'register with a nested attribute',
        REGISTER,
        { sku: 'P-500', name: 'x', unit: 'EA', attributes: { size: { w: 1 } } },
        /attributes/,
      ],
      ['update without any field', UPDATE, { sku: 'P-100' }, /name, description, unit, attributes/],
      ['update with a bad unit', UPDATE, { sku: 'P-100', unit: '??' }, /unit/],
      ['discontinue with an unknown field', DISCONTINUE, { sku: 'P-100', when: 'now' }, /when/],
    ];

    it.each(commandCases)('%s', async (_name, type, body, detail) => {
      const before = {
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      };
      const res = await postCommand(platform, type, body, acme);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(detail);
      expect({
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      }).toEqual(before);
    });

    it.each([
      ['/v1/catalog/products?limit=0', /limit/],
      ['/v1/catalog/products?limit=201', /limit/],
      ['/v1/catalog/products?limit=ten', /limit/],
      ['/v1/catalog/products?cursor=not-a-cursor!', /cursor/],
      ['/v1/catalog/products?status=gone', /status/],
      ['/v1/catalog/products/not%20a%20sku', /sku/],
    ])('GET %s', async (path, detail) => {
      const before = await platform.endOffsets(topics.events);
      const res = await query(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(detail);
      expect(await platform.endOffsets(topics.events)).toEqual(before);
    });
  });
});
