import { fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { conflictCacheKey } from '@verity/projection-source-conflicts';
import type { KafkaMessage } from 'kafkajs';
import { graphqlAs, subscribeAs } from './testing/graphql-client';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

interface ConflictBody {
  tenant: string;
  conflictId: string;
  context: string;
  sku: string;
  location: string | null;
  field: string;
  rule: string;
  owners: string[];
  current: { value: unknown; sourceSystem: string | null; sourceTimestamp: string | null };
  incoming: { value: unknown; sourceSystem: string | null; sourceTimestamp: string | null };
  status: string;
  accepted: string | null;
  detectedAt: string;
  resolvedAt: string | null;
  version: number;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('conflicts between source systems through the real stack: authority rules, ConflictDetected, the read model, resolution', () => {
  let platform: TestPlatform;
  let catalog: ReturnType<typeof contextTopics>;
  let inventory: ReturnType<typeof contextTopics>;
  let sources: ReturnType<typeof contextTopics>;
  const acme = { 'X-Tenant-Id': 'acme' };
  const from = (system: string, at?: Date) => ({
    ...acme,
    'X-Source-System': system,
    ...(at ? { 'X-Source-Timestamp': at.toISOString() } : {}),
  });
  // Filled as the suite goes: the catalog conflict, then the inventory one.
  let descriptionConflict: string;
  let countConflict: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    catalog = contextTopics('catalog', platform.prefix);
    inventory = contextTopics('inventory', platform.prefix);
    sources = contextTopics('sources', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const query = async <T = Record<string, unknown>>(path: string, headers: Record<string, string> = acme) => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, headers),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : undefined) as T & Record<string, unknown>,
    };
  };
  const fresh = (reply: { body: Record<string, unknown> }) => ({
    ...acme,
    'X-Consistency-Token': String(reply.body.consistencyToken),
  });
  const gql = (
    source: string,
    variables: Record<string, unknown> = {},
    tenant = 'acme',
    headers: Record<string, string> = {},
  ) => graphqlAs(platform, source, variables, tenant, headers);
  /** Every field of a conflict, so a GraphQL answer can equal the REST one. */
  const CONFLICT =
    'tenant conflictId context sku location field rule owners current { value sourceSystem sourceTimestamp } incoming { value sourceSystem sourceTimestamp } status accepted detectedAt resolvedAt version';
  /** The events of one stream on a topic, decoded through the registry, once `count` of them are there. */
  const eventsOf = async (topic: string, streamId: string, count: number) => {
    const ofStream = (records: KafkaMessage[]) => records.filter((r) => r.key?.toString() === streamId);
    const records = ofStream(await platform.readTopic(topic, (m) => ofStream(m).length >= count));
    return Promise.all(
      records.map(async (r) => ({
        type: fromHeaders(r.headers).type,
        value: (await platform.registry.decode(r.value!)) as Record<string, unknown>,
        schemaId: r.value!.readInt32BE(1),
      })),
    );
  };
  const endOffsets = async () => ({
    sourcesCommands: await platform.endOffsets(sources.commands),
    sourcesEvents: await platform.endOffsets(sources.events),
    catalogEvents: await platform.endOffsets(catalog.events),
    inventoryEvents: await platform.endOffsets(inventory.events),
  });

  it('authority rules: the storefront owns descriptions, the ERP owns on-hand counts; listed per tenant', async () => {
    const description = await postCommand(
      platform,
      'sources.SetAuthorityRule',
      { field: 'catalog.description', owners: ['shopify'] },
      acme,
    );
    expect(description.status).toBe(200);
    expect(description.body).toMatchObject({
      streamId: 'acme/authority',
      version: 1,
      events: [{ type: 'verity.sources.AuthorityRuleSet', topic: sources.events }],
    });
    const onHand = await postCommand(
      platform,
      'sources.SetAuthorityRule',
      { field: 'inventory.onHand', owners: ['erp-db'] },
      acme,
    );
    expect(onHand.body).toMatchObject({ version: 2 });

    const events = await eventsOf(sources.events, 'acme/authority', 2);
    expect(events.map((e) => e.value)).toEqual([
      { field: 'catalog.description', owners: ['shopify'], previousOwners: null },
      { field: 'inventory.onHand', owners: ['erp-db'], previousOwners: null },
    ]);
    expect(events[0]!.schemaId).toBe(
      await platform.registry.getLatestSchemaId(`${sources.events}-verity.sources.AuthorityRuleSet`),
    );

    const rules = await query<{ items: { field: string; owners: string[]; version: number }[] }>(
      '/v1/sources/authority-rules',
      fresh(onHand),
    );
    expect(rules.status).toBe(200);
    expect(rules.headers.get('x-consistency')).toBe('fresh');
    expect(rules.body).toEqual({
      items: [
        { field: 'catalog.description', owners: ['shopify'], version: 1, updatedAt: expect.any(String) },
        { field: 'inventory.onHand', owners: ['erp-db'], version: 2, updatedAt: expect.any(String) },
      ],
    });
    const etag = rules.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await query('/v1/sources/authority-rules', { ...acme, 'If-None-Match': etag })).status).toBe(304);
  });

  it('catalog: a netsuite update applies the name, not the description (a ConflictDetected with both values and the rule); accept=incoming applies it', async () => {
    const registered = await postCommand(
      platform,
      'catalog.RegisterProduct',
      { sku: 'P-1', name: 'Bolt', unit: 'EA', description: 'zinc plated' },
      acme,
    );
    expect(registered.status).toBe(200);
    const update = await postCommand(
      platform,
      'catalog.UpdateProduct',
      { sku: 'P-1', name: 'Bolt M8', description: 'stainless steel' },
      from('netsuite'),
    );
    expect(update.status).toBe(200);
    expect(update.body).toMatchObject({
      version: 3,
      events: [
        { type: 'verity.catalog.ProductUpdated' },
        { type: 'verity.catalog.ConflictDetected', topic: catalog.events },
      ],
    });

    const events = await eventsOf(catalog.events, 'acme/P-1', 3);
    const [registeredEvent, updated, detected] = events;
    expect(updated!.value).toMatchObject({ sku: 'P-1', name: 'Bolt M8', description: null, sourceSystem: 'netsuite' });
    expect(detected!.type).toBe('verity.catalog.ConflictDetected');
    expect(detected!.schemaId).toBe(
      await platform.registry.getLatestSchemaId(`${catalog.events}-verity.catalog.ConflictDetected`),
    );
    expect(detected!.value).toEqual({
      conflictId: expect.stringMatching(/^conflict-[0-9a-f]{24}$/),
      sku: 'P-1',
      location: null,
      field: 'catalog.description',
      currentValue: '"zinc plated"',
      currentSourceSystem: 'api',
      currentSourceTimestamp: registeredEvent!.value.sourceTimestamp,
      incomingValue: '"stainless steel"',
      incomingSourceSystem: 'netsuite',
      incomingSourceTimestamp: updated!.value.sourceTimestamp,
      rule: 'not_owner',
      owners: ['shopify'],
    });
    descriptionConflict = detected!.value.conflictId as string;

    // The product's version is that of its last change: the conflict changed nothing.
    const product = await query('/v1/catalog/products/P-1', fresh(update));
    expect(product.body).toMatchObject({ name: 'Bolt M8', description: 'zinc plated', version: 2 });

    const open = await query<Page<ConflictBody>>('/v1/conflicts?status=open', fresh(update));
    expect(open.status).toBe(200);
    expect(open.body).toEqual({
      items: [
        {
          tenant: 'acme',
          conflictId: descriptionConflict,
          context: 'catalog',
          sku: 'P-1',
          location: null,
          field: 'catalog.description',
          rule: 'not_owner',
          owners: ['shopify'],
          current: {
            value: 'zinc plated',
            sourceSystem: 'api',
            sourceTimestamp: registeredEvent!.value.sourceTimestamp,
          },
          incoming: {
            value: 'stainless steel',
            sourceSystem: 'netsuite',
            sourceTimestamp: updated!.value.sourceTimestamp,
          },
          status: 'open',
          accepted: null,
          detectedAt: expect.any(String),
          resolvedAt: null,
          version: 3,
        },
      ],
      nextCursor: null,
    });
    const single = await query<ConflictBody>(`/v1/conflicts/${descriptionConflict}`);
    expect(single.status).toBe(200);
    expect(single.headers.get('etag')).toBe('"3"');
    expect(single.body).toEqual(open.body.items[0]);
    const cached = await eventually(
      () =>
        platform.redis.get(conflictCacheKey(platform.prefix, 'acme', descriptionConflict)).then((v) => v ?? undefined),
      10_000,
      'cache key',
    );
    expect(JSON.parse(cached)).toMatchObject({ conflictId: descriptionConflict, status: 'open', version: 3 });
    const listEtag = open.headers.get('etag')!;
    expect((await query('/v1/conflicts?status=open', { ...acme, 'If-None-Match': listEtag })).status).toBe(304);

    const resolved = await postCommand(
      platform,
      'catalog.ResolveConflict',
      { sku: 'P-1', conflictId: descriptionConflict, accept: 'incoming' },
      acme,
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      version: 5,
      events: [{ type: 'verity.catalog.ConflictResolved' }, { type: 'verity.catalog.ProductUpdated' }],
    });
    expect((await query('/v1/catalog/products/P-1', fresh(resolved))).body).toMatchObject({
      name: 'Bolt M8',
      description: 'stainless steel',
      version: 5,
    });

    const after = await query<ConflictBody>(`/v1/conflicts/${descriptionConflict}`, fresh(resolved));
    expect(after.body).toMatchObject({
      status: 'resolved',
      accepted: 'incoming',
      resolvedAt: expect.any(String),
      version: 4,
    });
    expect(after.headers.get('etag')).toBe('"4"');
    // The cache follows: without a token the read is served the resolved conflict too.
    await eventually(
      async () =>
        (await query<ConflictBody>(`/v1/conflicts/${descriptionConflict}`)).body.status === 'resolved'
          ? true
          : undefined,
      10_000,
      'cache updated',
    );
    expect(
      (await query<Page<ConflictBody>>('/v1/conflicts?status=resolved')).body.items.map((c) => [
        c.conflictId,
        c.accepted,
      ]),
    ).toEqual([[descriptionConflict, 'incoming']]);
    expect((await query<Page<ConflictBody>>('/v1/conflicts?status=open')).body.items).toEqual([]);
    expect((await query('/v1/conflicts?status=open', { ...acme, 'If-None-Match': listEtag })).status).toBe(200);
  });

  it('inventory: a shopify count is a conflict and leaves on hand as it is; accept=current keeps it; receipts are not governed', async () => {
    const received = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'P-1', location: 'berlin', quantity: 10 },
      from('shopify'),
    );
    expect(received.body).toMatchObject({ events: [{ type: 'verity.inventory.StockReceived' }] });
    // The conflicts read model skips events it does not apply, yet moves past them: a receipt's token is honoured.
    const afterReceipt = await query('/v1/conflicts?context=inventory', fresh(received));
    expect(afterReceipt.headers.get('x-consistency')).toBe('fresh');
    const adjust = await postCommand(
      platform,
      'inventory.AdjustStock',
      { sku: 'P-1', location: 'berlin', onHand: 7 },
      from('shopify'),
    );
    expect(adjust.status).toBe(200);
    expect(adjust.body).toMatchObject({
      version: 2,
      events: [{ type: 'verity.inventory.ConflictDetected', topic: inventory.events }],
    });

    const [, detected] = await eventsOf(inventory.events, 'acme/P-1', 2);
    expect(detected!.value).toMatchObject({
      sku: 'P-1',
      location: 'berlin',
      field: 'inventory.onHand',
      currentValue: '10',
      incomingValue: '7',
      incomingSourceSystem: 'shopify',
      rule: 'not_owner',
      owners: ['erp-db'],
    });
    countConflict = detected!.value.conflictId as string;

    const stock = await query('/v1/inventory/P-1', fresh(adjust));
    expect(stock.body).toMatchObject({ totals: { onHand: 10 }, version: 1 });
    const listed = await query<Page<ConflictBody>>('/v1/conflicts?context=inventory', fresh(adjust));
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        conflictId: countConflict,
        context: 'inventory',
        location: 'berlin',
        field: 'inventory.onHand',
        current: expect.objectContaining({ value: 10 }),
        incoming: expect.objectContaining({ value: 7, sourceSystem: 'shopify' }),
        status: 'open',
      }),
    ]);

    const resolved = await postCommand(
      platform,
      'inventory.ResolveConflict',
      { sku: 'P-1', conflictId: countConflict, accept: 'current' },
      acme,
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ version: 3, events: [{ type: 'verity.inventory.ConflictResolved' }] });
    expect((resolved.body.events as unknown[]).length).toBe(1);
    expect((await query('/v1/inventory/P-1', fresh(resolved))).body).toMatchObject({ totals: { onHand: 10 } });
    expect((await query<ConflictBody>(`/v1/conflicts/${countConflict}`, fresh(resolved))).body).toMatchObject({
      status: 'resolved',
      accepted: 'current',
      resolvedAt: expect.any(String),
    });
    // Resolved once: a second resolution finds no open conflict.
    const again = await postCommand(
      platform,
      'inventory.ResolveConflict',
      { sku: 'P-1', conflictId: countConflict, accept: 'incoming' },
      acme,
    );
    expect(again.body).toMatchObject({ status: 422, code: 'conflict_not_found' });
  });

  it('a change from the owner older than the last applied one is older_than_applied', async () => {
    const now = Date.now();
    const counted = await postCommand(
      platform,
      'inventory.AdjustStock',
      { sku: 'P-1', location: 'berlin', onHand: 12 },
      from('erp-db', new Date(now)),
    );
    expect(counted.body).toMatchObject({ events: [{ type: 'verity.inventory.StockAdjusted' }] });
    const stale = await postCommand(
      platform,
      'inventory.AdjustStock',
      { sku: 'P-1', location: 'berlin', onHand: 11 },
      from('erp-db', new Date(now - 3_600_000)),
    );
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ events: [{ type: 'verity.inventory.ConflictDetected' }] });

    const open = await query<Page<ConflictBody>>('/v1/conflicts?status=open&field=inventory.onHand', fresh(stale));
    expect(open.body.items).toEqual([
      expect.objectContaining({
        rule: 'older_than_applied',
        owners: ['erp-db'],
        current: { value: 12, sourceSystem: 'erp-db', sourceTimestamp: new Date(now).toISOString() },
        incoming: { value: 11, sourceSystem: 'erp-db', sourceTimestamp: new Date(now - 3_600_000).toISOString() },
      }),
    ]);
    expect((await query('/v1/inventory/P-1', fresh(stale))).body).toMatchObject({ totals: { onHand: 12 } });
  });

  it('lists page by page with a cursor, oldest first, and filter by SKU and field', async () => {
    const all = await query<Page<ConflictBody>>('/v1/conflicts');
    expect(all.body.items.map((c) => c.conflictId).slice(0, 2)).toEqual([descriptionConflict, countConflict]);
    expect(all.body.items).toHaveLength(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page<ConflictBody> } = await query<Page<ConflictBody>>(
        `/v1/conflicts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.conflictId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((c) => c.conflictId));
    expect(
      (await query<Page<ConflictBody>>('/v1/conflicts?field=catalog.description')).body.items.map((c) => c.conflictId),
    ).toEqual([descriptionConflict]);
    expect(
      (await query<Page<ConflictBody>>('/v1/conflicts?sku=P-1&context=catalog')).body.items.map((c) => c.conflictId),
    ).toEqual([descriptionConflict]);
    expect((await query<Page<ConflictBody>>('/v1/conflicts?sku=P-2')).body.items).toEqual([]);
  });

  it('GraphQL conflicts, conflict and authorityRules answer what REST does, through the same readers and filters', async () => {
    const pages: [string, string][] = [
      ['', ''],
      ['status: open', 'status=open'],
      ['status: resolved, context: catalog', 'status=resolved&context=catalog'],
      ['sku: "P-1", field: "inventory.onHand"', 'sku=P-1&field=inventory.onHand'],
      ['first: 2', 'limit=2'],
    ];
    for (const [args, params] of pages) {
      const rest = await query<Page<ConflictBody>>(`/v1/conflicts?${params}`);
      const answer = await gql(`{ conflicts${args ? `(${args})` : ''} { items { ${CONFLICT} } nextCursor } }`);
      expect({ args, errors: answer.body.errors, page: answer.body.data?.conflicts }).toEqual({
        args,
        errors: undefined,
        page: rest.body,
      });
    }
    const firstPage = await gql(`{ conflicts(first: 2) { nextCursor } }`);
    const cursor = firstPage.body.data!.conflicts.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const secondPage = await gql(
      `query($after: String) { conflicts(first: 2, after: $after) { items { ${CONFLICT} } nextCursor } }`,
      { after: cursor },
    );
    expect(secondPage.body.data!.conflicts).toEqual((await query(`/v1/conflicts?limit=2&cursor=${cursor}`)).body);

    const single = await gql(`query($id: String!) { conflict(id: $id) { ${CONFLICT} } }`, { id: countConflict });
    expect(single.body.data!.conflict).toEqual((await query(`/v1/conflicts/${countConflict}`)).body);
    expect((await gql(`{ conflict(id: "conflict-000000000000000000000000") { conflictId } }`)).body).toEqual({
      data: { conflict: null },
    });
    const rules = await gql(`{ authorityRules { field owners version updatedAt } }`);
    expect(rules.body.data!.authorityRules).toEqual(
      (await query<{ items: unknown[] }>('/v1/sources/authority-rules')).body.items,
    );
  });

  it('GraphQL with a command token lists a conflict recorded just now, and reads its resolution at once though the cache held it open', async () => {
    const update = await postCommand(
      platform,
      'catalog.UpdateProduct',
      { sku: 'P-1', description: 'brass' },
      from('netsuite'),
    );
    expect(update.status).toBe(200);
    expect(update.body).toMatchObject({ events: [{ type: 'verity.catalog.ConflictDetected' }] });
    const open = await gql(
      `{ conflicts(status: open, context: catalog) { items { ${CONFLICT} } nextCursor } }`,
      {},
      'acme',
      fresh(update),
    );
    expect(open.status).toBe(200);
    expect(open.body.extensions).toEqual({ consistency: 'fresh' });
    expect(open.headers.get('x-consistency')).toBe('fresh');
    expect(open.body.data!.conflicts).toEqual(
      (await query('/v1/conflicts?status=open&context=catalog', fresh(update))).body,
    );
    const [recorded] = open.body.data!.conflicts.items as ConflictBody[];
    expect(recorded).toMatchObject({
      sku: 'P-1',
      field: 'catalog.description',
      rule: 'not_owner',
      current: { value: 'stainless steel' },
      incoming: { value: 'brass', sourceSystem: 'netsuite' },
      status: 'open',
    });

    // Cached open (a read without a token refills the entry), then resolved: the token's read skips the cache.
    const CONFLICT_STATUS = `query($id: String!) { conflict(id: $id) { status accepted version } }`;
    expect((await gql(CONFLICT_STATUS, { id: recorded!.conflictId })).body.data!.conflict).toMatchObject({
      status: 'open',
    });
    await eventually(
      () =>
        platform.redis.get(conflictCacheKey(platform.prefix, 'acme', recorded!.conflictId)).then((v) => v ?? undefined),
      10_000,
      'cache key',
    );
    const resolved = await postCommand(
      platform,
      'catalog.ResolveConflict',
      { sku: 'P-1', conflictId: recorded!.conflictId, accept: 'current' },
      acme,
    );
    expect(resolved.status).toBe(200);
    const after = await gql(CONFLICT_STATUS, { id: recorded!.conflictId }, 'acme', fresh(resolved));
    expect(after.body).toEqual({
      data: { conflict: { status: 'resolved', accepted: 'current', version: resolved.body.version } },
      extensions: { consistency: 'fresh' },
    });
  });

  it('keeps tenants apart: another tenant sees no conflicts and no rules, and its changes are not governed by them', async () => {
    const globex = { 'X-Tenant-Id': 'globex' };
    expect((await query('/v1/conflicts', globex)).body).toEqual({ items: [], nextCursor: null });
    expect((await query('/v1/sources/authority-rules', globex)).body).toEqual({ items: [] });
    const graphqlAnswer = await gql(
      `query($id: String!) { conflicts { items { conflictId } nextCursor } conflict(id: $id) { conflictId } authorityRules { field } }`,
      { id: descriptionConflict },
      'globex',
    );
    expect(graphqlAnswer.body).toEqual({
      data: { conflicts: { items: [], nextCursor: null }, conflict: null, authorityRules: [] },
    });
    const single = await query(`/v1/conflicts/${descriptionConflict}`, globex);
    expect(single.status).toBe(404);
    expect(single.headers.get('content-type')).toContain('application/problem+json');
    expect(single.body).toMatchObject({ code: 'not_found' });

    expect(
      (
        await postCommand(
          platform,
          'catalog.RegisterProduct',
          { sku: 'P-1', name: 'Nut', unit: 'EA', description: 'brass' },
          globex,
        )
      ).status,
    ).toBe(200);
    const update = await postCommand(
      platform,
      'catalog.UpdateProduct',
      { sku: 'P-1', description: 'steel' },
      { ...globex, 'X-Source-System': 'netsuite' },
    );
    expect(update.body).toMatchObject({ events: [{ type: 'verity.catalog.ProductUpdated' }] });
    expect((update.body.events as unknown[]).length).toBe(1);
    expect(
      (await query('/v1/conflicts', { ...globex, 'X-Consistency-Token': String(update.body.consistencyToken) })).body,
    ).toEqual({ items: [], nextCursor: null });
    const graphqlFresh = await gql(`{ conflicts { items { conflictId } } }`, {}, 'globex', {
      'X-Consistency-Token': String(update.body.consistencyToken),
    });
    expect(graphqlFresh.body).toEqual({ data: { conflicts: { items: [] } }, extensions: { consistency: 'fresh' } });
  });

  it('streams conflictChanged over Server-Sent Events: a conflict when detected, then its resolution; filtered by SKU and context when given, never another tenant', async () => {
    const initech = { 'X-Tenant-Id': 'initech' };
    type Reply = Awaited<ReturnType<typeof postCommand>>;
    /** The id of the conflict a reply recorded, once the projector has cached it and so published its notice (it caches, then publishes). */
    const projected = async (reply: Reply, tenant: string, context: string, sku: string) => {
      expect(reply.body).toMatchObject({ events: [{ type: `verity.${context}.ConflictDetected` }] });
      const list = await query<Page<ConflictBody>>(`/v1/conflicts?context=${context}&sku=${sku}`, {
        'X-Tenant-Id': tenant,
        'X-Consistency-Token': String(reply.body.consistencyToken),
      });
      const conflictId = list.body.items.find((c) => c.version === reply.body.version)!.conflictId;
      await eventually(
        () => platform.redis.get(conflictCacheKey(platform.prefix, tenant, conflictId)).then((v) => v ?? undefined),
        10_000,
        `${tenant} ${conflictId} cached`,
      );
      return conflictId;
    };
    expect(
      (
        await postCommand(
          platform,
          'sources.SetAuthorityRule',
          { field: 'catalog.description', owners: ['shopify'] },
          initech,
        )
      ).status,
    ).toBe(200);
    for (const [sku, headers] of [
      ['P-7', initech],
      ['P-7', acme],
      ['P-8', acme],
    ] as const) {
      expect(
        (
          await postCommand(
            platform,
            'catalog.RegisterProduct',
            { sku, name: 'Nut', unit: 'EA', description: 'brass' },
            headers,
          )
        ).status,
      ).toBe(200);
    }
    expect(
      (await postCommand(platform, 'inventory.ReceiveStock', { sku: 'P-7', location: 'berlin', quantity: 4 }, acme))
        .status,
    ).toBe(200);

    const narrow = await subscribeAs(
      platform,
      `subscription { conflictChanged(sku: "P-7", context: catalog) { ${CONFLICT} } }`,
    );
    const all = await subscribeAs(
      platform,
      `subscription { conflictChanged { tenant conflictId context sku status version } }`,
    );
    try {
      expect(narrow.status).toBe(200);
      expect(narrow.contentType).toContain('text/event-stream');
      // Conflicts the narrow stream must not see, each noticed before the one it must: the same SKU of another tenant, the SKU's inventory conflict, another SKU's.
      await projected(
        await postCommand(
          platform,
          'catalog.UpdateProduct',
          { sku: 'P-7', description: 'steel' },
          { ...initech, 'X-Source-System': 'netsuite' },
        ),
        'initech',
        'catalog',
        'P-7',
      );
      const countConflictId = await projected(
        await postCommand(
          platform,
          'inventory.AdjustStock',
          { sku: 'P-7', location: 'berlin', onHand: 3 },
          from('shopify'),
        ),
        'acme',
        'inventory',
        'P-7',
      );
      const otherSkuId = await projected(
        await postCommand(platform, 'catalog.UpdateProduct', { sku: 'P-8', description: 'steel' }, from('netsuite')),
        'acme',
        'catalog',
        'P-8',
      );

      const update = await postCommand(
        platform,
        'catalog.UpdateProduct',
        { sku: 'P-7', description: 'copper' },
        from('netsuite'),
      );
      expect(update.body).toMatchObject({ events: [{ type: 'verity.catalog.ConflictDetected' }] });
      const detected = ((await narrow.next()) as { data: { conflictChanged: ConflictBody } }).data.conflictChanged;
      expect(detected).toMatchObject({
        tenant: 'acme',
        context: 'catalog',
        sku: 'P-7',
        field: 'catalog.description',
        current: { value: 'brass' },
        incoming: { value: 'copper', sourceSystem: 'netsuite' },
        status: 'open',
        accepted: null,
        version: update.body.version,
      });
      expect(
        (await gql(`query($id: String!) { conflict(id: $id) { ${CONFLICT} } }`, { id: detected.conflictId })).body.data!
          .conflict,
      ).toEqual(detected);
      expect((await query(`/v1/conflicts/${detected.conflictId}`)).body).toEqual(detected);

      const resolved = await postCommand(
        platform,
        'catalog.ResolveConflict',
        { sku: 'P-7', conflictId: detected.conflictId, accept: 'incoming' },
        acme,
      );
      expect(resolved.status).toBe(200);
      expect(await narrow.next()).toEqual({
        data: {
          conflictChanged: {
            ...detected,
            status: 'resolved',
            accepted: 'incoming',
            resolvedAt: expect.any(String),
            version: detected.version + 1,
          },
        },
      });

      // Without filters: every conflict change of the tenant, in order, and none of another tenant's.
      const seen: unknown[] = [];
      for (let i = 0; i < 4; i++)
        seen.push(((await all.next()) as { data: { conflictChanged: unknown } } | undefined)?.data.conflictChanged);
      expect(seen).toEqual([
        { tenant: 'acme', conflictId: countConflictId, context: 'inventory', sku: 'P-7', status: 'open', version: 2 },
        { tenant: 'acme', conflictId: otherSkuId, context: 'catalog', sku: 'P-8', status: 'open', version: 2 },
        {
          tenant: 'acme',
          conflictId: detected.conflictId,
          context: 'catalog',
          sku: 'P-7',
          status: 'open',
          version: detected.version,
        },
        {
          tenant: 'acme',
          conflictId: detected.conflictId,
          context: 'catalog',
          sku: 'P-7',
          status: 'resolved',
          version: detected.version + 1,
        },
      ]);
    } finally {
      narrow.close();
      all.close();
    }
  });

  describe('bad input: a 4xx problem+json naming the field, nothing appended', () => {
    it.each([
      ['an unknown field', { field: 'catalog.colour', owners: ['shopify'] }, /field/],
      ['an unknown source', { field: 'catalog.name', owners: ['magento'] }, /owners/],
      ['no owner', { field: 'catalog.name', owners: [] }, /owners/],
    ])('SetAuthorityRule with %s is 400', async (_name, body, detail) => {
      const before = await endOffsets();
      const res = await postCommand(platform, 'sources.SetAuthorityRule', body, acme);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(detail);
      expect(await endOffsets()).toEqual(before);
    });

    it.each([
      ['catalog.ResolveConflict', 'catalogEvents'],
      ['inventory.ResolveConflict', 'inventoryEvents'],
    ] as const)('%s with an unknown conflict id is 422 conflict_not_found', async (type, topic) => {
      const before = await endOffsets();
      const res = await postCommand(
        platform,
        type,
        { sku: 'P-1', conflictId: 'conflict-000000000000000000000000', accept: 'incoming' },
        acme,
      );
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status: 422,
        code: 'conflict_not_found',
        conflictId: 'conflict-000000000000000000000000',
      });
      expect((await endOffsets())[topic]).toEqual(before[topic]);
    });

    it('ResolveConflict with a malformed id or side is 400 naming it', async () => {
      const before = await endOffsets();
      const badId = await postCommand(
        platform,
        'catalog.ResolveConflict',
        { sku: 'P-1', conflictId: 'nope', accept: 'incoming' },
        acme,
      );
      expect(badId).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(String(badId.body.detail)).toMatch(/conflictId/);
      const badSide = await postCommand(
        platform,
        'inventory.ResolveConflict',
        { sku: 'P-1', conflictId: countConflict, accept: 'both' },
        acme,
      );
      expect(badSide).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(String(badSide.body.detail)).toMatch(/accept/);
      expect(await endOffsets()).toEqual(before);
    });

    it.each([
      ['/v1/conflicts?status=accepted', /status/],
      ['/v1/conflicts?context=pricing', /context/],
      ['/v1/conflicts?field=catalog.colour', /field/],
      ['/v1/conflicts?sku=not%20a%20sku', /sku/],
      ['/v1/conflicts?limit=0', /limit/],
      ['/v1/conflicts?cursor=not-a-cursor', /cursor/],
      ['/v1/conflicts?colour=red', /colour/],
      ['/v1/conflicts/not-a-conflict', /conflictId/],
      ['/v1/sources/authority-rules?field=catalog.name', /field/],
    ])('GET %s is 400', async (path, detail) => {
      const res = await query(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(detail);
    });

    it.each([
      ['{ conflicts(field: "catalog.colour") { nextCursor } }', 'field', /^field: one of catalog\.name/],
      ['{ conflicts(sku: "not a sku") { nextCursor } }', 'sku', /^sku: /],
      ['{ conflicts(first: 0) { nextCursor } }', 'first', /^first: must be between 1 and 200$/],
      ['{ conflicts(after: "not-a-cursor") { nextCursor } }', 'after', /^after: not a cursor/],
      ['{ conflict(id: "not-a-conflict") { conflictId } }', 'id', /^id: /],
    ])('GraphQL %s is BAD_USER_INPUT naming %s', async (source, argument, message) => {
      const res = await gql(source);
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(message),
          extensions: { code: 'BAD_USER_INPUT', argument },
        }),
      ]);
    });

    it('conflictChanged with a malformed SKU is BAD_USER_INPUT naming it', async () => {
      const stream = await subscribeAs(platform, `subscription { conflictChanged(sku: "not a sku") { conflictId } }`);
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

    it('GraphQL with a status or context outside its enum is a validation error naming the type, nothing resolved', async () => {
      for (const [source, type] of [
        ['{ conflicts(status: accepted) { nextCursor } }', 'ConflictStatus'],
        ['{ conflicts(context: pricing) { nextCursor } }', 'ConflictContext'],
      ] as const) {
        const res = await gql(source);
        expect(res.status).toBeLessThan(500);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringContaining(type),
            extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
          }),
        ]);
      }
    });

    it('an unknown conflict id is 404', async () => {
      const res = await query('/v1/conflicts/conflict-000000000000000000000000');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found', conflictId: 'conflict-000000000000000000000000' });
    });
  });
});
