import type { CommandEnvelope } from '@verity/core';
import { contexts } from '@verity/domain';
import { contextTopics } from '@verity/events';
import { createService } from './services';
import { rowCounts, tampered, topicEnds } from './testing/query-access';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'acme';
/** Every context whose commands `POST /v1/commands` takes: access goes through the admin API. */
const COMMAND_CONTEXTS = contexts.filter((c) => c.name !== 'access');
const COMMAND_TYPES = COMMAND_CONTEXTS.flatMap((c) => Object.keys(c.commands).map((name) => `${c.name}.${name}`));

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** The route of the gateway's router this request reaches, e.g. `/v1/commands/:type`. */
  pattern: string;
  path: string;
  /** Sent as JSON, or as it is with `contentType`. */
  body?: unknown;
  contentType?: string;
  /** The grant a `reader` of every context lacks here; none where any credential of the tenant may go. */
  needs?: string;
}

/** The grant a command needs, as issue 10 says: admin for authority rules and alias governance, else writer. */
const grantOf = (type: string): string => {
  const context = type.slice(0, type.indexOf('.'));
  return context === 'sources' || type === 'aliases.SetGovernance' ? `admin:${context}` : `writer:${context}`;
};

type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

describe('gateway credentials, tenants and roles (issue 10)', () => {
  let platform: TestPlatform;
  let gateway: string;
  /** An API key of the tenant, revoked before the matrix runs. */
  let revokedKey: string;
  /** A live key of the tenant, for the rotate and revoke routes. */
  let liveKeyId: string;

  const call = async (route: Route, headers: Record<string, string> = {}): Promise<Answer> => {
    const contentType = route.contentType ?? 'application/json';
    const body = route.contentType === undefined ? JSON.stringify(route.body) : String(route.body);
    const res = await fetch(`${gateway}${route.path}`, {
      method: route.method,
      headers: { ...(route.body === undefined ? {} : { 'content-type': contentType }), ...headers },
      ...(route.body === undefined ? {} : { body }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  const issueKey = async (roles: string[]): Promise<{ keyId: string; key: string }> => {
    const res = await call(
      { method: 'POST', pattern: '/v1/admin/api-keys', path: '/v1/admin/api-keys', body: { roles } },
      await platform.credential({ tenant: TENANT }),
    );
    expect(res.status).toBe(201);
    return { keyId: res.body.keyId as string, key: res.body.key as string };
  };

  /** `verity_auth_failures_total` of the gateway, by reason, from its /metrics (open on the platform). */
  const authFailures = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`${gateway}/metrics`)).text();
    return Object.fromEntries(
      [...text.matchAll(/^verity_auth_failures_total\{reason="(\w+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]),
    );
  };

  /** Every topic of the platform: a refused request must leave all of them as they were. */
  const allEndOffsets = () => topicEnds(platform);

  /** The command envelope the gateway appended, found by its id on the context's commands topic. */
  const envelopeOf = async (context: string, commandId: string): Promise<CommandEnvelope> => {
    const messages = await platform.readTopic(contextTopics(context, platform.prefix).commands, (ms) =>
      ms.some((m) => JSON.parse(m.value!.toString()).commandId === commandId),
    );
    return messages
      .map((m) => JSON.parse(m.value!.toString()) as CommandEnvelope)
      .find((e) => e.commandId === commandId)!;
  };

  beforeAll(async () => {
    // The projector too, so the matrix can show no read model moved either.
    platform = await startTestPlatform(['command-processor', 'projector', 'gateway']);
    gateway = platform.urls.gateway!;
    const revoked = await issueKey(['admin']);
    revokedKey = revoked.key;
    const revoke = await call(
      {
        method: 'POST',
        pattern: '/v1/admin/api-keys/:keyId/revoke',
        path: `/v1/admin/api-keys/${revoked.keyId}/revoke`,
      },
      await platform.credential({ tenant: TENANT }),
    );
    expect(revoke.status).toBe(200);
    liveKeyId = (await issueKey(['reader'])).keyId;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const routes = (): Route[] => [
    ...COMMAND_TYPES.map((type): Route => ({
      method: 'POST',
      pattern: '/v1/commands/:type',
      path: `/v1/commands/${type}`,
      body: {},
      needs: grantOf(type),
    })),
    // A row that would be appended, were the credential good enough.
    ...COMMAND_TYPES.filter((type) => type.startsWith('inventory.') || type.startsWith('sources.')).map(
      (type): Route => ({
        method: 'POST',
        pattern: '/v1/imports/:type',
        path: `/v1/imports/${type}`,
        body: '{"sku":"SKU-IMPORT","location":"lyon","quantity":1}\n',
        contentType: 'application/x-ndjson',
        needs: grantOf(type),
      }),
    ),
    { method: 'GET', pattern: '/v1/commands/:commandId', path: '/v1/commands/some-command' },
    {
      method: 'POST',
      pattern: '/v1/admin/api-keys',
      path: '/v1/admin/api-keys',
      body: { roles: ['reader'] },
      needs: 'admin:access',
    },
    { method: 'GET', pattern: '/v1/admin/api-keys', path: '/v1/admin/api-keys', needs: 'admin:access' },
    {
      method: 'POST',
      pattern: '/v1/admin/api-keys/:keyId/rotate',
      path: `/v1/admin/api-keys/${liveKeyId}/rotate`,
      body: {},
      needs: 'admin:access',
    },
    {
      method: 'POST',
      pattern: '/v1/admin/api-keys/:keyId/revoke',
      path: `/v1/admin/api-keys/${liveKeyId}/revoke`,
      needs: 'admin:access',
    },
    // Outbound webhook subscriptions are access too: refused before any subscription is looked up.
    ...(
      [
        ['POST', '', { url: 'https://example.com/hook', eventTypes: ['verity.inventory.StockReceived'] }],
        ['GET', ''],
        ['GET', '/:id'],
        ['DELETE', '/:id'],
        ['POST', '/:id/rotate', {}],
        ['POST', '/:id/disable', {}],
        ['POST', '/:id/enable', {}],
        ['GET', '/:id/deliveries'],
        ['POST', '/:id/deliveries/:deliveryId/redeliver', {}],
      ] as const
    ).map(([method, tail, body]: readonly [Route['method'], string, unknown?]): Route => ({
      method,
      pattern: `/v1/webhook-subscriptions${tail}`,
      path: `/v1/webhook-subscriptions${tail.replace(':id', 'whs_matrix').replace(':deliveryId', '1')}`,
      ...(body === undefined ? {} : { body }),
      needs: 'admin:access',
    })),
  ];

  it('holds a request of the matrix for every route the gateway serves but the open ones', () => {
    const open = new Set(['GET /health', 'GET /ready', 'GET /metrics', 'GET /openapi.json']);
    const served = platform.routes.gateway!.map((r) => `${r.method} ${r.path}`).filter((r) => !open.has(r));
    // Read from the router: a route added without a guard test fails here.
    expect([...new Set(routes().map((r) => `${r.method} ${r.pattern}`))].sort()).toEqual([...new Set(served)].sort());
  });

  it('refuses every route without a good credential, for another tenant, or without the role, and appends nothing', async () => {
    expect(COMMAND_CONTEXTS.map((c) => c.name).sort()).toEqual([
      'aliases',
      'catalog',
      'inventory',
      'pricing',
      'sources',
    ]);
    const before = await allEndOffsets();
    const rowsBefore = await rowCounts(platform);
    const failuresBefore = await authFailures();
    const admin = await platform.credential({ tenant: TENANT });
    const cases: { name: string; headers: () => Promise<Record<string, string>>; status: number; code: string }[] = [
      { name: 'no credential', headers: async () => ({}), status: 401, code: 'unauthenticated' },
      {
        name: 'expired JWT',
        headers: () => platform.credential({ tenant: TENANT, expiresInS: -120 }),
        status: 401,
        code: 'invalid_credential',
      },
      {
        name: 'wrong audience',
        headers: () => platform.credential({ tenant: TENANT, audience: 'someone-else' }),
        status: 401,
        code: 'invalid_credential',
      },
      { name: 'tampered signature', headers: async () => tampered(admin), status: 401, code: 'invalid_credential' },
      {
        name: 'revoked API key',
        headers: async () => ({ authorization: `Bearer ${revokedKey}` }),
        status: 401,
        code: 'invalid_credential',
      },
      {
        name: 'revoked API key in X-Api-Key',
        headers: async () => ({ 'x-api-key': revokedKey }),
        status: 401,
        code: 'invalid_credential',
      },
      {
        name: "another tenant's X-Tenant-Id",
        headers: async () => ({ ...admin, 'X-Tenant-Id': 'globex' }),
        status: 403,
        code: 'foreign_tenant',
      },
    ];
    const failures: string[] = [];
    for (const route of routes()) {
      for (const c of cases) {
        const res = await call(route, await c.headers());
        const label = `${route.method} ${route.path} with ${c.name}`;
        if (res.status !== c.status || res.body.code !== c.code)
          failures.push(`${label}: ${res.status} ${String(res.body.code)}`);
        if (res.status === 401 && !res.headers.get('www-authenticate')?.startsWith('Bearer realm="verity"'))
          failures.push(`${label}: no WWW-Authenticate`);
        if (!res.headers.get('content-type')?.startsWith('application/problem+json'))
          failures.push(`${label}: not problem+json`);
      }
      if (route.needs) {
        const res = await call(route, await platform.credential({ tenant: TENANT, roles: ['reader'] }));
        if (
          res.status !== 403 ||
          res.body.code !== 'insufficient_permission' ||
          res.body.missingPermission !== route.needs
        )
          failures.push(`${route.method} ${route.path} as a reader: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await allEndOffsets()).toEqual(before);
    expect(await rowCounts(platform)).toEqual(rowsBefore);
    // Each refusal counted once under its reason (never sent to the caller).
    const failuresAfter = await authFailures();
    const counted = Object.fromEntries(
      Object.entries(failuresAfter).map(([reason, n]) => [reason, n - (failuresBefore[reason] ?? 0)]),
    );
    const times = routes().length;
    expect(counted).toEqual({
      missing_credential: times,
      expired: times,
      wrong_audience: times,
      bad_signature: times,
      revoked_key: 2 * times,
    });
  });

  it('refuses a role of another context, and writer where authority rules or access need admin', async () => {
    const before = await allEndOffsets();
    const as = (roles: string[]) => platform.credential({ tenant: TENANT, roles });
    const receive = { sku: 'SKU-ROLE', location: 'lyon', quantity: 1 };
    const refusals = [
      await postCommand(platform, 'inventory.ReceiveStock', receive, await as(['writer:catalog'])),
      await postCommand(
        platform,
        'sources.SetAuthorityRule',
        { field: 'catalog.description', owners: ['shopify'] },
        await as(['writer']),
      ),
      await postCommand(platform, 'aliases.SetGovernance', { maxAliasesPerCanonical: 3 }, await as(['writer'])),
    ];
    expect(refusals.map((r) => [r.status, r.body.code, r.body.missingPermission])).toEqual([
      [403, 'insufficient_permission', 'writer:inventory'],
      [403, 'insufficient_permission', 'admin:sources'],
      [403, 'insufficient_permission', 'admin:aliases'],
    ]);
    const writer = await as(['writer']);
    const admin = [
      await call(
        { method: 'POST', pattern: '/v1/admin/api-keys', path: '/v1/admin/api-keys', body: { roles: ['reader'] } },
        writer,
      ),
      await call({ method: 'GET', pattern: '/v1/admin/api-keys', path: '/v1/admin/api-keys' }, writer),
    ];
    expect(admin.map((r) => [r.status, r.body.missingPermission])).toEqual([
      [403, 'admin:access'],
      [403, 'admin:access'],
    ]);
    expect(await allEndOffsets()).toEqual(before);

    // The same requests pass with the grant named: the refusals above were for the role alone.
    const allowed = await postCommand(platform, 'inventory.ReceiveStock', receive, await as(['writer:inventory']));
    expect(allowed.status).toBe(200);
  });

  it('records the credential’s subject as the actor; X-Actor only as onBehalfOf of an act-as credential', async () => {
    const receive = (key: string) => ({ sku: `SKU-${key}`, location: 'lyon', quantity: 2 });
    const plain = await postCommand(platform, 'inventory.ReceiveStock', receive('PLAIN'), {
      ...(await platform.credential({ tenant: TENANT, roles: ['writer:inventory'], subject: 'connector-7' })),
      'X-Actor': 'mallory',
      'Idempotency-Key': 'actor-plain',
    });
    expect(plain.status).toBe(200);
    const actingAs = await postCommand(platform, 'inventory.ReceiveStock', receive('ACTAS'), {
      ...(await platform.credential({
        tenant: TENANT,
        roles: ['writer:inventory', 'act-as'],
        subject: 'erp-connector',
      })),
      'X-Actor': 'erp-user-42',
      'Idempotency-Key': 'actor-act-as',
    });
    expect(actingAs.status).toBe(200);
    const admin = await postCommand(platform, 'inventory.ReceiveStock', receive('ADMIN'), {
      ...(await platform.credential({ tenant: TENANT, roles: ['admin'], subject: 'ops-admin' })),
      'Idempotency-Key': 'actor-admin',
    });
    expect(admin.status).toBe(200);

    const plainEnvelope = await envelopeOf('inventory', 'actor-plain');
    expect(plainEnvelope.metadata).toMatchObject({ tenant: TENANT, actor: 'connector-7' });
    expect(plainEnvelope.metadata).not.toHaveProperty('onBehalfOf');
    expect(plainEnvelope.metadata).not.toHaveProperty('admin');
    expect(JSON.stringify(plainEnvelope)).not.toContain('mallory');
    expect((await envelopeOf('inventory', 'actor-act-as')).metadata).toMatchObject({
      actor: 'erp-connector',
      onBehalfOf: 'erp-user-42',
    });
    expect((await envelopeOf('inventory', 'actor-admin')).metadata).toMatchObject({ actor: 'ops-admin', admin: true });
  });

  it('lets a platform operator write for another tenant, recorded under that tenant with its own subject', async () => {
    const operator = await platform.credential({
      tenant: 'platform',
      roles: ['platform-operator', 'writer'],
      subject: 'op-1',
    });
    const res = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'SKU-OPS', location: 'lyon', quantity: 3 },
      { ...operator, 'X-Tenant-Id': 'globex', 'Idempotency-Key': 'operator-write' },
    );
    expect(res).toMatchObject({ status: 200, body: { streamId: 'globex/SKU-OPS' } });
    expect((await envelopeOf('inventory', 'operator-write')).metadata).toMatchObject({
      tenant: 'globex',
      actor: 'op-1',
    });
    // Its outcome is the tenant's: the operator reads it naming the tenant, the tenant reads it as its own.
    const outcome = await call(
      { method: 'GET', pattern: '/v1/commands/:commandId', path: '/v1/commands/operator-write' },
      { ...operator, 'X-Tenant-Id': 'globex' },
    );
    expect(outcome).toMatchObject({ status: 200, body: { status: 'accepted', streamId: 'globex/SKU-OPS' } });
    const own = await call(
      { method: 'GET', pattern: '/v1/commands/:commandId', path: '/v1/commands/operator-write' },
      await platform.credential({ tenant: 'globex' }),
    );
    expect(own.status).toBe(200);
    const other = await call(
      { method: 'GET', pattern: '/v1/commands/:commandId', path: '/v1/commands/operator-write' },
      await platform.credential({ tenant: TENANT }),
    );
    expect(other).toMatchObject({ status: 404, body: { code: 'unknown_command' } });
  });

  it('lets writer:frontend register a frontend alias, not a backend one', async () => {
    const frontend = await platform.credential({ tenant: TENANT, roles: ['writer:frontend'], subject: 'web-team' });
    const register = (context: string, alias: string) =>
      postCommand(platform, 'aliases.RegisterAlias', { alias, context, canonical: 'storefront-service' }, frontend);
    const before = await platform.endOffsets(contextTopics('aliases', platform.prefix).commands);
    const backend = await register('backend', 'shop-api');
    expect(backend).toMatchObject({
      status: 403,
      body: { code: 'insufficient_permission', missingPermission: 'writer:aliases' },
    });
    expect(backend.body.acceptedPermissions).toEqual(['writer:aliases', 'writer:backend']);
    expect(await platform.endOffsets(contextTopics('aliases', platform.prefix).commands)).toEqual(before);
    const front = await register('frontend', 'shop');
    expect(front).toMatchObject({ status: 200, body: { streamId: `${TENANT}/registry` } });
  });

  it('keeps access commands off the command route: the admin API issues keys', async () => {
    const res = await postCommand(
      platform,
      'access.IssueApiKey',
      {
        keyId: 'aaaaaaaaaaaaaaaaaaaa',
        roles: ['platform-operator'],
        secretHash: { salt: 'a'.repeat(22), hash: 'b'.repeat(43) },
      },
      await platform.credential({ tenant: TENANT }),
    );
    expect(res).toMatchObject({ status: 404, body: { code: 'unknown_command_type' } });
    expect(res.body.detail).toContain('/v1/admin/api-keys');
  });

  it('keeps /health, /ready and /openapi.json open, and answers 400 to a malformed X-Tenant-Id', async () => {
    for (const path of ['/health', '/ready', '/openapi.json'])
      expect((await fetch(`${gateway}${path}`)).status).toBe(200);
    const res = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'SKU-X', location: 'lyon', quantity: 1 },
      { ...(await platform.credential({ tenant: TENANT })), 'X-Tenant-Id': 'Not A Tenant!' },
    );
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_header', header: 'X-Tenant-Id' } });
  });
  it('guards /metrics unless configured open, and limits a credential to its role’s rate', async () => {
    // A second instance as a shared deployment runs it: metrics closed, readers held to 3 requests a second.
    const strict = createService('gateway', {
      ...platform.env,
      VERITY_METRICS_OPEN: 'false',
      VERITY_RATE_LIMIT_READER: '3',
    });
    const url = (await strict.start()).url;
    try {
      const metrics = async (headers: Record<string, string>) => (await fetch(`${url}/metrics`, { headers })).status;
      expect(await metrics({})).toBe(401);
      expect(await metrics(await platform.credential({ tenant: TENANT }))).toBe(403);
      expect(await metrics(await platform.credential({ tenant: TENANT, roles: ['reader:metrics'] }))).toBe(200);
      expect(await metrics(await platform.credential({ tenant: 'platform', roles: ['platform-operator'] }))).toBe(200);
      expect((await fetch(`${gateway}/metrics`)).status).toBe(200);

      const reader = await platform.credential({ tenant: TENANT, roles: ['reader'], subject: 'busy-reader' });
      const lookup = () => fetch(`${url}/v1/commands/unknown-command`, { headers: reader });
      // At once, so all four fall in the limit's one-second window even on a loaded machine.
      const answers = await Promise.all([1, 2, 3, 4].map(() => lookup()));
      expect(answers.map((r) => r.status).sort()).toEqual([404, 404, 404, 429]);
      const refused = answers.find((r) => r.status === 429);
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused!.headers.get('ratelimit-limit')).toBe('3');
      expect(await refused!.json()).toMatchObject({ status: 429, code: 'rate_limited' });
      await new Promise((r) => setTimeout(r, Number(refused!.headers.get('retry-after')) * 1000 + 100));
      expect((await lookup()).status).toBe(404);
    } finally {
      await strict.stop();
    }
  });
});
