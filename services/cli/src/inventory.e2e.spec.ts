import { eventHash, fromHeaders, unchained } from '@verity/core';
import { contextTopics, projectionGroupId, READ_MODELS_GROUP } from '@verity/events';
import { stockCacheKey } from '@verity/projection-inventory-stock';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const RECEIVE = 'inventory.ReceiveStock';

describe('inventory through the real stack: gateway → Kafka → processor → projector → query-api', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;

  beforeAll(async () => {
    platform = await startTestPlatform();
    topics = contextTopics('inventory', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const stockRow = (tenant: string, sku: string) =>
    platform.db
      .withSchema(platform.schema)
      .table('stock_levels')
      .where({ tenant, sku })
      .orderBy('location')
      .select('location', 'on_hand');

  it('appends an Avro StockReceived decodable through the registry, projects it to PostgreSQL and Redis, and serves it', async () => {
    const accepted = await postCommand(
      platform,
      RECEIVE,
      { sku: 'SKU-E2E', location: 'berlin', quantity: 5 },
      { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('etag')).toBe('"1"');
    expect(accepted.body).toMatchObject({
      streamId: 'acme/SKU-E2E',
      version: 1,
      events: [{ type: 'verity.inventory.StockReceived', topic: topics.events }],
    });
    expect(typeof accepted.body.consistencyToken).toBe('string');

    // On Kafka: Confluent wire format with the id the registry holds for <topic>-<record full name>.
    const [record] = await platform.readTopic(topics.events, (m) => m.length >= 1);
    const registeredId = await platform.registry.getLatestSchemaId(`${topics.events}-verity.inventory.StockReceived`);
    expect(record!.value!.readUInt8(0)).toBe(0);
    expect(record!.value!.readInt32BE(1)).toBe(registeredId);
    expect(await platform.registry.decode(record!.value!)).toEqual({ sku: 'SKU-E2E', location: 'berlin', quantity: 5 });
    expect(record!.key!.toString()).toBe('acme/SKU-E2E');
    const metadata = fromHeaders(record!.headers);
    expect(metadata).toMatchObject({
      type: 'verity.inventory.StockReceived',
      subject: 'acme/SKU-E2E',
      streamVersion: 1,
      tenant: 'acme',
      actor: 'alice',
      sourceSystem: 'api',
      prevHash: '',
    });
    expect(metadata.hash).toBe(eventHash('', unchained(metadata), record!.value!));

    // Read model row and cache key.
    await eventually(
      async () => ((await stockRow('acme', 'SKU-E2E')).length === 1 ? true : undefined),
      20_000,
      'read model row',
    );
    expect(await stockRow('acme', 'SKU-E2E')).toEqual([{ location: 'berlin', on_hand: '5' }]);
    const cached = await eventually(
      () => platform.redis.get(stockCacheKey(platform.prefix, 'acme', 'SKU-E2E')).then((v) => v ?? undefined),
      10_000,
      'cache key',
    );
    expect(JSON.parse(cached)).toMatchObject({ sku: 'SKU-E2E', version: 1, totals: { onHand: 5 } });

    // Query out.
    const res = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-E2E`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': 'acme' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(await res.json()).toMatchObject({
      tenant: 'acme',
      sku: 'SKU-E2E',
      version: 1,
      locations: [{ location: 'berlin', onHand: 5, reserved: 0, available: 5 }],
      totals: { onHand: 5, reserved: 0, available: 5 },
    });
    const notModified = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-E2E`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': 'acme', 'If-None-Match': '"1"' }),
    });
    expect(notModified.status).toBe(304);
    // Another tenant does not see it.
    const otherTenant = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-E2E`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': 'globex' }),
    });
    expect(otherTenant.status).toBe(404);
    expect(otherTenant.headers.get('content-type')).toContain('application/problem+json');
  });

  it('chains the hashes of a stream across commands', async () => {
    for (const quantity of [1, 2, 3]) {
      expect((await postCommand(platform, RECEIVE, { sku: 'SKU-CHAIN', location: 'paris', quantity })).status).toBe(
        200,
      );
    }
    const records = await platform.readTopic(
      topics.events,
      (m) => m.filter((r) => r.key?.toString() === 'default/SKU-CHAIN').length >= 3,
    );
    const chain = records
      .filter((r) => r.key?.toString() === 'default/SKU-CHAIN')
      .map((r) => ({ metadata: fromHeaders(r.headers), value: r.value! }));
    expect(chain.map((e) => e.metadata.streamVersion)).toEqual([1, 2, 3]);
    let prev = '';
    for (const { metadata, value } of chain) {
      expect(metadata.prevHash).toBe(prev);
      expect(metadata.hash).toBe(eventHash(prev, unchained(metadata), value));
      prev = metadata.hash;
    }
  });

  describe('bad input gets a 4xx problem+json naming the problem and appends nothing', () => {
    const cases: [string, string, unknown, Record<string, string>, number, string, RegExp][] = [
      ['malformed JSON', RECEIVE, '{"sku": "A",', {}, 400, 'malformed_json', /JSON/],
      ['a missing field', RECEIVE, { sku: 'A', location: 'x' }, {}, 400, 'validation_failed', /quantity/],
      [
        'a wrong type',
        RECEIVE,
        { sku: 'A', location: 'x', quantity: 'five' },
        {},
        400,
        'validation_failed',
        /quantity/,
      ],
      [
        'a negative quantity',
        RECEIVE,
        { sku: 'A', location: 'x', quantity: -3 },
        {},
        400,
        'validation_failed',
        /quantity/,
      ],
      [
        'a fractional quantity',
        RECEIVE,
        { sku: 'A', location: 'x', quantity: 1.5 },
        {},
        400,
        'validation_failed',
        /quantity/,
      ],
      [
        'an unknown field',
        RECEIVE,
        { sku: 'A', location: 'x', quantity: 1, colour: 'red' },
        {},
        400,
        'validation_failed',
        /colour/,
      ],
      ['a body that is not an object', RECEIVE, '[1,2]', {}, 400, 'validation_failed', /object/],
      [
        'an unknown command type',
        'inventory.TeleportStock',
        { sku: 'A', location: 'x', quantity: 1 },
        {},
        404,
        'unknown_command_type',
        /inventory\.TeleportStock/,
      ],
      [
        'an unknown context',
        'nowhere.ReceiveStock',
        { sku: 'A', location: 'x', quantity: 1 },
        {},
        404,
        'unknown_command_type',
        /nowhere/,
      ],
      [
        'a bad tenant header',
        RECEIVE,
        { sku: 'A', location: 'x', quantity: 1 },
        { 'X-Tenant-Id': 'Not A Tenant!' },
        400,
        'invalid_header',
        /X-Tenant-Id/,
      ],
      [
        'a bad If-Match',
        RECEIVE,
        { sku: 'A', location: 'x', quantity: 1 },
        { 'If-Match': 'W/"x"' },
        400,
        'invalid_header',
        /If-Match/,
      ],
    ];

    it.each(cases)('%s', async (_name, type, body, headers, status, code, detail) => {
      const before = {
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      };
      // An admin of tenant `default`: what is wrong is the request, never the credential.
      const res = await postCommand(platform, type, body, { ...(await platform.credential()), ...headers });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status, code, type: `urn:verity:problem:${code}` });
      expect(String(res.body.detail)).toMatch(detail);
      expect({
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      }).toEqual(before);
    });

    it('a body sent as text/plain is 415', async () => {
      const res = await fetch(`${platform.urls.gateway}/v1/commands/${RECEIVE}`, {
        method: 'POST',
        headers: await withCredential(platform, { 'content-type': 'text/plain' }),
        body: 'hello',
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { code: string }).code).toBe('unsupported_media_type');
    });
  });

  it('a restarted projector applies nothing twice, even when Kafka forgot its offsets', async () => {
    for (const quantity of [10, 20])
      expect((await postCommand(platform, RECEIVE, { sku: 'SKU-RESTART', location: 'oslo', quantity })).status).toBe(
        200,
      );
    await eventually(
      async () => ((await stockRow('default', 'SKU-RESTART'))[0]?.on_hand === '30' ? true : undefined),
      20_000,
      'first two applied',
    );

    await platform.stopService('projector');
    // Rewind the projector's consumer group to the start: only its PostgreSQL checkpoint stands between it and double counting.
    await platform.admin.resetOffsets({
      groupId: projectionGroupId(READ_MODELS_GROUP, platform.prefix),
      topic: topics.events,
      earliest: true,
    });
    await platform.startService('projector');

    expect((await postCommand(platform, RECEIVE, { sku: 'SKU-RESTART', location: 'oslo', quantity: 5 })).status).toBe(
      200,
    );
    await eventually(
      async () => {
        const item = await platform.db
          .withSchema(platform.schema)
          .table('stock_items')
          .where({ tenant: 'default', sku: 'SKU-RESTART' })
          .first('version');
        return item?.version === 3 ? true : undefined;
      },
      20_000,
      'third event applied',
    );
    expect(await stockRow('default', 'SKU-RESTART')).toEqual([{ location: 'oslo', on_hand: '35' }]);
    const rows = await platform.db
      .withSchema(platform.schema)
      .table('stock_levels')
      .where({ tenant: 'default', sku: 'SKU-RESTART' })
      .count<{ count: string }[]>('* as count');
    expect(rows[0]!.count).toBe('1');
  });

  it('every service answers /health, /ready and /metrics', async () => {
    for (const [name, url] of Object.entries(platform.urls)) {
      expect({ name, status: (await fetch(`${url}/health`)).status }).toEqual({ name, status: 200 });
      const ready = await fetch(`${url}/ready`);
      expect({ name, status: ready.status }).toEqual({ name, status: 200 });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('verity_process_cpu_seconds_total');
    }
  });
});
