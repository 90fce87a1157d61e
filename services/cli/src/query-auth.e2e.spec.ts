import {
  get,
  issueKey,
  keyIdOf,
  keys,
  openSubscription,
  postGraphql,
  rowCounts,
  tampered,
  topicEnds,
  type Answer,
} from './testing/query-access';
import { createService } from './services';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

/** Every REST route of the query-api that needs a credential, with the grant it needs (none: a credential is enough). */
const ROUTES: { path: string; documented: string; grant?: string }[] = [
  { path: '/v1/inventory/low-stock?threshold=5', documented: '/v1/inventory/low-stock', grant: 'reader:inventory' },
  {
    path: '/v1/inventory/locations/berlin',
    documented: '/v1/inventory/locations/{location}',
    grant: 'reader:inventory',
  },
  { path: '/v1/inventory/S-1', documented: '/v1/inventory/{sku}', grant: 'reader:inventory' },
  { path: '/v1/catalog/products', documented: '/v1/catalog/products', grant: 'reader:catalog' },
  { path: '/v1/catalog/products/S-1', documented: '/v1/catalog/products/{sku}', grant: 'reader:catalog' },
  {
    path: '/v1/pricing/quote?priceListId=PL-1&sku=S-1&quantity=1',
    documented: '/v1/pricing/quote',
    grant: 'reader:pricing',
  },
  {
    path: '/v1/pricing/price-lists/PL-1',
    documented: '/v1/pricing/price-lists/{priceListId}',
    grant: 'reader:pricing',
  },
  {
    path: '/api/aliases/resolve/frontend/shirt',
    documented: '/api/aliases/resolve/{context}/{alias}',
    grant: 'reader:aliases',
  },
  { path: '/api/aliases/health', documented: '/api/aliases/health' },
  { path: '/api/aliases/status', documented: '/api/aliases/status' },
  { path: '/api/aliases/metrics', documented: '/api/aliases/metrics', grant: 'reader:aliases' },
  {
    path: '/api/aliases/audit/resolutions',
    documented: '/api/aliases/audit/resolutions',
    grant: 'admin:aliases',
  },
  { path: '/v1/aliases', documented: '/v1/aliases', grant: 'reader:aliases' },
  { path: '/v1/aliases/conflicts', documented: '/v1/aliases/conflicts', grant: 'reader:aliases' },
  { path: '/v1/conflicts', documented: '/v1/conflicts', grant: 'reader:sources' },
  {
    path: '/v1/conflicts/conflict-0123456789abcdef01234567',
    documented: '/v1/conflicts/{conflictId}',
    grant: 'reader:sources',
  },
  { path: '/v1/sources/authority-rules', documented: '/v1/sources/authority-rules', grant: 'reader:sources' },
  { path: '/v1/sync/status', documented: '/v1/sync/status', grant: 'reader:sync' },
  {
    path: '/v1/streams/inventory/S-1/events',
    documented: '/v1/streams/{context}/{streamId}/events',
    grant: 'reader:inventory',
  },
  {
    path: '/v1/streams/pricing/PL-1?version=1',
    documented: '/v1/streams/{context}/{streamId}',
    grant: 'reader:pricing',
  },
];

/** Every GraphQL root field, as one operation reading it alone, with the grant it needs. */
const OPERATIONS: { field: string; kind: 'query' | 'subscription'; document: string; grant: string }[] = [
  { field: 'product', kind: 'query', document: '{ product(sku: "S-1") { sku } }', grant: 'reader:catalog' },
  { field: 'products', kind: 'query', document: '{ products { items { sku } } }', grant: 'reader:catalog' },
  { field: 'stock', kind: 'query', document: '{ stock(sku: "S-1") { sku } }', grant: 'reader:inventory' },
  {
    field: 'lowStock',
    kind: 'query',
    document: '{ lowStock(threshold: 5) { items { sku } } }',
    grant: 'reader:inventory',
  },
  {
    field: 'resolveAlias',
    kind: 'query',
    document: '{ resolveAlias(context: frontend, alias: "shirt") { canonical } }',
    grant: 'reader:aliases',
  },
  {
    field: 'quote',
    kind: 'query',
    document: '{ quote(priceListId: "PL-1", customer: "C-1", sku: "S-1", quantity: 1) { total } }',
    grant: 'reader:pricing',
  },
  { field: 'priceList', kind: 'query', document: '{ priceList(id: "PL-1") { name } }', grant: 'reader:pricing' },
  {
    field: 'conflicts',
    kind: 'query',
    document: '{ conflicts { items { conflictId } } }',
    grant: 'reader:sources',
  },
  {
    field: 'conflict',
    kind: 'query',
    document: '{ conflict(id: "conflict-0123456789abcdef01234567") { conflictId } }',
    grant: 'reader:sources',
  },
  { field: 'authorityRules', kind: 'query', document: '{ authorityRules { field } }', grant: 'reader:sources' },
  {
    field: 'stockChanged',
    kind: 'subscription',
    document: 'subscription { stockChanged(sku: "S-1") { sku version } }',
    grant: 'reader:inventory',
  },
  {
    field: 'aliasChanged',
    kind: 'subscription',
    document: 'subscription { aliasChanged { alias version } }',
    grant: 'reader:aliases',
  },
  {
    field: 'priceChanged',
    kind: 'subscription',
    document: 'subscription { priceChanged(priceListId: "PL-1", sku: "S-1", customer: "C-1") { version } }',
    grant: 'reader:pricing',
  },
  {
    field: 'productChanged',
    kind: 'subscription',
    document: 'subscription { productChanged(sku: "S-1") { sku } }',
    grant: 'reader:catalog',
  },
  {
    field: 'conflictChanged',
    kind: 'subscription',
    document: 'subscription { conflictChanged { conflictId } }',
    grant: 'reader:sources',
  },
];

/** A reader of another context than `grant`'s: enough to authenticate, not to read. */
const otherReader = (grant: string | undefined): string =>
  grant === 'reader:inventory' ? 'reader:catalog' : 'reader:inventory';

const problemOf = (answer: Answer): Record<string, unknown> => JSON.parse(answer.text) as Record<string, unknown>;

describe('query-api credentials: every route and GraphQL operation refuses what it must', () => {
  let platform: TestPlatform;
  let queryApi: string;
  let revokedKey: string;
  let before: { topics: Awaited<ReturnType<typeof topicEnds>>; rows: Awaited<ReturnType<typeof rowCounts>> };

  beforeAll(async () => {
    platform = await startTestPlatform();
    queryApi = platform.urls['query-api']!;
    revokedKey = await issueKey(platform, 'acme', ['reader']);
    await keys(platform, 'revoke', keyIdOf(revokedKey));
    // The query-api learns of the revocation from the access state topic.
    await eventually(
      async () =>
        (await get(`${queryApi}/v1/aliases`, { 'x-api-key': revokedKey })).status === 401 ? true : undefined,
      10_000,
      'the revoked key refused',
    );
    before = { topics: await topicEnds(platform), rows: await rowCounts(platform) };
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('covers every documented route and every GraphQL root field', async () => {
    const open = ['/health', '/ready', '/openapi.json', '/asyncapi.json', '/metrics', '/graphql'];
    // As a client sees the service: its OpenAPI document (open) and its schema (introspected).
    const openApi = (await (await fetch(`${queryApi}/openapi.json`)).json()) as { paths: object };
    const documented = Object.keys(openApi.paths).filter((p) => !open.includes(p));
    expect(ROUTES.map((r) => r.documented).sort()).toEqual(documented.sort());
    const introspected = await postGraphql(
      queryApi,
      '{ __schema { queryType { fields { name } } subscriptionType { fields { name } } } }',
      await platform.credential({ tenant: 'acme', roles: ['reader'] }),
    );
    expect(introspected.status).toBe(200);
    const { data } = JSON.parse(introspected.text) as {
      data: { __schema: Record<'queryType' | 'subscriptionType', { fields: { name: string }[] }> };
    };
    const fields = [...data.__schema.queryType.fields, ...data.__schema.subscriptionType.fields].map((f) => f.name);
    expect(OPERATIONS.map((o) => o.field).sort()).toEqual(fields.sort());
  });

  it('covers every route the query-api serves, read from its router, but the open ones', () => {
    const open = new Set(['GET /health', 'GET /ready', 'GET /metrics', 'GET /openapi.json', 'GET /asyncapi.json']);
    const served = platform.routes['query-api']!.map((r) => `${r.method} ${r.path}`).filter((r) => !open.has(r));
    // A route added to the code without a line in ROUTES (or /graphql without OPERATIONS) fails here.
    const covered = [...ROUTES.map((r) => `GET ${r.documented.replace(/\{(\w+)\}/g, ':$1')}`), 'ALL /graphql'];
    expect(served.sort()).toEqual(covered.sort());
  });

  /** The refused credentials, each with the status it gets. */
  const refusals = async (grant: string | undefined) => {
    const cases: { name: string; headers: Record<string, string>; status: 401 | 403; missing?: string }[] = [
      { name: 'no credential', headers: {}, status: 401 },
      { name: 'an expired JWT', headers: await platform.credential({ tenant: 'acme', expiresInS: -120 }), status: 401 },
      {
        name: 'a JWT for another audience',
        headers: await platform.credential({ tenant: 'acme', audience: 'someone-else' }),
        status: 401,
      },
      { name: 'a tampered JWT', headers: tampered(await platform.credential({ tenant: 'acme' })), status: 401 },
      { name: 'a revoked API key', headers: { authorization: `Bearer ${revokedKey}` }, status: 401 },
      {
        name: "another tenant's X-Tenant-Id",
        headers: { ...(await platform.credential({ tenant: 'acme' })), 'X-Tenant-Id': 'globex' },
        status: 403,
      },
    ];
    if (grant)
      cases.push({
        name: `${otherReader(grant)} only`,
        headers: await platform.credential({ tenant: 'acme', roles: [otherReader(grant)] }),
        status: 403,
        missing: grant,
      });
    return cases;
  };

  it.each(ROUTES)('GET $path', async ({ path, grant }) => {
    for (const refusal of await refusals(grant)) {
      const answer = await get(`${queryApi}${path}`, refusal.headers);
      expect({ case: refusal.name, status: answer.status, type: answer.headers.get('content-type') }).toEqual({
        case: refusal.name,
        status: refusal.status,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      if (refusal.status === 401)
        expect({ case: refusal.name, header: answer.headers.get('www-authenticate') }).toEqual({
          case: refusal.name,
          header: expect.stringMatching(/^Bearer realm="verity"/),
        });
      const problem = problemOf(answer);
      if (refusal.missing)
        expect(problem).toMatchObject({
          code: 'insufficient_permission',
          missingPermission: refusal.missing,
          detail: `missing permission ${refusal.missing}`,
        });
      else if (refusal.status === 403) expect(problem).toMatchObject({ code: 'foreign_tenant' });
    }
    // The control: the grant it needs (or any credential) passes.
    const allowed = await get(
      `${queryApi}${path}`,
      await platform.credential({ tenant: 'acme', roles: grant ? [grant] : ['reader:catalog'] }),
    );
    expect([200, 404]).toContain(allowed.status);
  });

  it.each(OPERATIONS)('GraphQL $kind $field', async ({ kind, document, grant }) => {
    const send = (headers: Record<string, string>) =>
      kind === 'query' ? postGraphql(queryApi, document, headers) : openSubscription(queryApi, document, headers);
    for (const refusal of await refusals(grant)) {
      const answer = await send(refusal.headers);
      expect({ case: refusal.name, status: answer.status }).toEqual({ case: refusal.name, status: refusal.status });
      if (refusal.status === 401)
        expect({ case: refusal.name, header: answer.headers.get('www-authenticate') }).toEqual({
          case: refusal.name,
          header: expect.stringMatching(/^Bearer realm="verity"/),
        });
      if (refusal.missing) {
        // A GraphQL error: the field is null, extensions name the grant.
        expect(answer.text).toContain('"code":"FORBIDDEN"');
        expect(answer.text).toContain(`"missingPermission":"${refusal.missing}"`);
      } else expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const allowed = await send(await platform.credential({ tenant: 'acme', roles: [grant] }));
    expect(allowed.status).toBe(200);
    expect(allowed.text).not.toContain('FORBIDDEN');
  });

  it('a reader of one alias context reads that context, and no other', async () => {
    const frontend = await platform.credential({ tenant: 'acme', roles: ['reader:frontend'] });
    expect((await get(`${queryApi}/api/aliases/resolve/frontend/shirt`, frontend)).status).toBe(404);
    expect((await get(`${queryApi}/v1/aliases?context=frontend`, frontend)).status).toBe(200);
    const backend = await get(`${queryApi}/api/aliases/resolve/backend/shirt`, frontend);
    expect(backend.status).toBe(403);
    expect(problemOf(backend)).toMatchObject({ missingPermission: 'reader:aliases' });
    expect((await get(`${queryApi}/v1/aliases`, frontend)).status).toBe(403);
    expect((await get(`${queryApi}/v1/aliases/conflicts?context=frontend`, frontend)).status).toBe(403);
    const viaGraphql = await postGraphql(
      queryApi,
      '{ resolveAlias(context: frontend, alias: "shirt") { canonical } }',
      frontend,
    );
    expect({ status: viaGraphql.status, body: JSON.parse(viaGraphql.text) as unknown }).toEqual({
      status: 200,
      body: { data: { resolveAlias: null } },
    });
  });

  it('/health, /ready, /openapi.json and /asyncapi.json stay open', async () => {
    for (const path of ['/health', '/ready', '/openapi.json', '/asyncapi.json'])
      expect((await get(`${queryApi}${path}`, {})).status).toBe(200);
  });

  it('/metrics needs reader:metrics or a platform operator where it is not configured open', async () => {
    // A second instance as a shared deployment runs it: the platform's own has metrics open.
    const closed = createService('query-api', { ...platform.env, VERITY_METRICS_OPEN: 'false' });
    try {
      const url = (await closed.start()).url;
      const metrics = async (headers: Record<string, string>) => (await get(`${url}/metrics`, headers)).status;
      expect({
        none: await metrics({}),
        reader: await metrics(await platform.credential({ tenant: 'acme', roles: ['reader'] })),
        metricsReader: await metrics(await platform.credential({ tenant: 'acme', roles: ['reader:metrics'] })),
        operator: await metrics(await platform.credential({ tenant: 'platform', roles: ['platform-operator'] })),
        open: (await get(`${queryApi}/metrics`, {})).status,
      }).toEqual({ none: 401, reader: 403, metricsReader: 200, operator: 200, open: 200 });
    } finally {
      await closed.stop();
    }
  });

  it('wrote nothing to any topic or read model', async () => {
    expect(await topicEnds(platform)).toEqual(before.topics);
    expect(await rowCounts(platform)).toEqual(before.rows);
  });
});
