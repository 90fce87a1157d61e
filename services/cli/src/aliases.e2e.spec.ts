import { encodeConsistencyToken, fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { aliasResolveKey, cacheResolution } from '@verity/projection-aliases-registry';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const REGISTER = 'aliases.RegisterAlias';
const DEACTIVATE = 'aliases.DeactivateAlias';
const GOVERN = 'aliases.SetGovernance';
const RESOLVE_CONFLICT = 'aliases.ResolveAliasConflict';
/** The query-api's bound on a consistency wait (its default), set so the stale case knows it. */
const CONSISTENCY_TIMEOUT_MS = 3_000;

describe('alias registry through the real stack: gateway → Kafka → processor → projector → query-api', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, {
      env: { VERITY_CONSISTENCY_TIMEOUT_MS: String(CONSISTENCY_TIMEOUT_MS) },
    });
    topics = contextTopics('aliases', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const get = async (
    path: string,
    tenant = 'acme',
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': tenant, ...headers }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const resolve = (context: string, alias: string, tenant = 'acme', headers: Record<string, string> = {}) =>
    get(`/api/aliases/resolve/${context}/${alias}`, tenant, headers);
  const until = (context: string, alias: string, status: number, tenant = 'acme') =>
    eventually(
      async () => {
        const res = await resolve(context, alias, tenant);
        return res.status === status ? res : undefined;
      },
      20_000,
      `resolve ${context}/${alias} → ${status}`,
    );

  it('registers, decodes through the registry, resolves from the cache, deactivates to 404; other tenants see nothing', async () => {
    const accepted = await postCommand(
      platform,
      REGISTER,
      { alias: 'orders', context: 'backend', canonical: 'order-service', description: 'orders API' },
      { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      streamId: 'acme/registry',
      version: 1,
      events: [{ type: 'verity.aliases.AliasRegistered', topic: topics.events }],
    });

    const [record] = await platform.readTopic(topics.events, (m) => m.length >= 1);
    expect(await platform.registry.decode(record!.value!)).toEqual({
      alias: 'orders',
      context: 'backend',
      canonical: 'order-service',
      description: 'orders API',
      owner: 'alice',
      expiresAt: null,
      conflictId: null,
    });
    expect(fromHeaders(record!.headers)).toMatchObject({
      type: 'verity.aliases.AliasRegistered',
      subject: 'acme/registry',
      tenant: 'acme',
      actor: 'alice',
    });

    // The projector writes the resolution to Redis after its commit; the endpoint answers from it.
    const key = aliasResolveKey(platform.prefix, 'acme', 'backend', 'orders');
    const cached = await eventually(() => platform.redis.get(key).then((v) => v ?? undefined), 20_000, 'cache key');
    expect(JSON.parse(cached)).toMatchObject({ canonical: 'order-service', version: 1 });
    const hit = await resolve('backend', 'orders');
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('hit');
    expect(hit.body).toEqual({ canonical_name: 'order-service' });
    // Read-through: with the key gone, PostgreSQL answers and refills it.
    await platform.redis.del(key);
    const miss = await resolve('backend', 'orders');
    expect({ status: miss.status, cache: miss.headers.get('x-cache'), body: miss.body }).toEqual({
      status: 200,
      cache: 'miss',
      body: { canonical_name: 'order-service' },
    });
    expect(await platform.redis.get(key)).not.toBeNull();

    // Tenant isolation.
    const other = await resolve('backend', 'orders', 'globex');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toContain('application/problem+json');

    // Same alias, owner and canonical again: alias_exists, nothing appended.
    const before = await platform.endOffsets(topics.events);
    const again = await postCommand(
      platform,
      REGISTER,
      { alias: 'orders', context: 'backend', canonical: 'order-service' },
      { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' },
    );
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'alias_exists' });
    expect(await platform.endOffsets(topics.events)).toEqual(before);

    const listed = await get('/v1/aliases?context=backend');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ alias: 'orders', canonical: 'order-service', owner: 'alice', status: 'active' }),
    ]);

    expect(
      (await postCommand(platform, DEACTIVATE, { alias: 'orders', context: 'backend' }, { 'X-Tenant-Id': 'acme' }))
        .status,
    ).toBe(200);
    const gone = await until('backend', 'orders', 404);
    expect(gone.body).toMatchObject({ code: 'not_found', context: 'backend', alias: 'orders' });
    expect(await platform.redis.get(key)).toBeNull();
    // A read-through that read PostgreSQL before the deactivation cannot bring the old resolution back.
    expect(
      await cacheResolution(
        platform.redis,
        platform.prefix,
        'acme',
        'backend',
        'orders',
        { canonical: 'order-service', expiresAt: null, version: 1 },
        new Date(),
      ),
    ).toBe(false);
    expect(await platform.redis.get(key)).toBeNull();
    // Registered again, it resolves again.
    expect(
      (
        await postCommand(
          platform,
          REGISTER,
          { alias: 'orders', context: 'backend', canonical: 'order-service-v2' },
          { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' },
        )
      ).status,
    ).toBe(200);
    expect((await until('backend', 'orders', 200)).body).toEqual({ canonical_name: 'order-service-v2' });
  });

  it('an expired alias stops resolving', async () => {
    const expiresAt = new Date(Date.now() + 3_000).toISOString();
    expect(
      (
        await postCommand(
          platform,
          REGISTER,
          { alias: 'soon-gone', context: 'frontend', canonical: 'promo', expiresAt },
          { 'X-Tenant-Id': 'acme' },
        )
      ).status,
    ).toBe(200);
    expect((await until('frontend', 'soon-gone', 200)).body).toEqual({ canonical_name: 'promo' });
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 100));
    expect((await resolve('frontend', 'soon-gone')).status).toBe(404);
  });

  it('a governance violation is a 422 naming the rule and appends nothing', async () => {
    expect(
      (
        await postCommand(
          platform,
          GOVERN,
          { namingPattern: '^api-[a-z]+$', allowedContexts: ['backend'] },
          { 'X-Tenant-Id': 'gov' },
        )
      ).status,
    ).toBe(200);
    const before = await platform.endOffsets(topics.events);
    for (const [payload, rule] of [
      [{ alias: 'orders', context: 'backend', canonical: 'order-service' }, 'namingPattern'],
      [{ alias: 'api-orders', context: 'frontend', canonical: 'order-service' }, 'allowedContexts'],
    ] as const) {
      const res = await postCommand(platform, REGISTER, payload, { 'X-Tenant-Id': 'gov' });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'governance_violation', rule });
    }
    expect(await platform.endOffsets(topics.events)).toEqual(before);
    expect(
      (
        await postCommand(
          platform,
          REGISTER,
          { alias: 'api-orders', context: 'backend', canonical: 'order-service' },
          { 'X-Tenant-Id': 'gov' },
        )
      ).status,
    ).toBe(200);
  });

  it('a conflict is detected, not applied, listed, and resolved by command', async () => {
    const headers = (actor: string) => ({ 'X-Tenant-Id': 'conf', 'X-Actor': actor });
    expect(
      (
        await postCommand(
          platform,
          REGISTER,
          { alias: 'orders', context: 'backend', canonical: 'order-service' },
          headers('alice'),
        )
      ).status,
    ).toBe(200);
    const clash = await postCommand(
      platform,
      REGISTER,
      { alias: 'orders', context: 'backend', canonical: 'billing' },
      headers('bob'),
    );
    expect(clash.status).toBe(200);
    expect(clash.body).toMatchObject({ events: [{ type: 'verity.aliases.AliasConflictDetected' }] });

    const open = await eventually(
      async () => {
        const res = await get('/v1/aliases/conflicts?status=open', 'conf');
        return (res.body.items as unknown[]).length === 1 ? (res.body.items as Record<string, unknown>[]) : undefined;
      },
      20_000,
      'open conflict listed',
    );
    expect(open[0]).toMatchObject({
      alias: 'orders',
      context: 'backend',
      canonical: 'billing',
      owner: 'bob',
      existingAlias: 'orders',
      existingOwner: 'alice',
      kind: 'alias_taken',
      status: 'open',
    });
    expect((await until('backend', 'orders', 200, 'conf')).body).toEqual({ canonical_name: 'order-service' });

    const accepted = await postCommand(
      platform,
      RESOLVE_CONFLICT,
      { conflictId: open[0]!.conflictId, resolution: 'accept' },
      headers('admin'),
    );
    expect(accepted.status).toBe(200);
    await eventually(
      async () => ((await resolve('backend', 'orders', 'conf')).body.canonical_name === 'billing' ? true : undefined),
      20_000,
      'accepted registration resolves',
    );
    expect((await get('/v1/aliases/conflicts?status=open', 'conf')).body.items).toEqual([]);
    const again = await postCommand(
      platform,
      RESOLVE_CONFLICT,
      { conflictId: open[0]!.conflictId, resolution: 'reject' },
      headers('admin'),
    );
    expect(again.body).toMatchObject({ code: 'conflict_already_resolved' });
  });

  it('health, status and metrics', async () => {
    expect(await get('/api/aliases/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get('/api/aliases/status')).toMatchObject({
      status: 200,
      body: { service: 'verity-aliases', version: expect.any(String), health: 'ok' },
    });
    const metrics = await get('/api/aliases/metrics', 'conf');
    expect(metrics.body).toMatchObject({
      total: 1,
      active: 1,
      resolveLatencyMs: { p50: expect.any(Number), p99: expect.any(Number) },
    });
    const { p50, p99 } = metrics.body.resolveLatencyMs as { p50: number; p99: number };
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
  });

  describe('X-Consistency-Token on the resolve: read-your-writes past the cache', () => {
    const tenant = 'ryw';
    const as = { 'X-Tenant-Id': tenant, 'X-Actor': 'alice' };
    const withToken = (reply: { body: Record<string, unknown> }) => ({
      'X-Consistency-Token': String(reply.body.consistencyToken),
    });
    const seen = (res: Awaited<ReturnType<typeof resolve>>) => ({
      status: res.status,
      consistency: res.headers.get('x-consistency'),
      canonical: res.body.canonical_name,
    });
    const command = async (type: string, payload: unknown) => {
      const reply = await postCommand(platform, type, payload, as);
      expect(reply.status).toBe(200);
      return reply;
    };
    /** The resolution in Redis, or null. */
    const cachedCanonical = async (key: string): Promise<string | null> => {
      const raw = await platform.redis.get(key);
      return raw ? (JSON.parse(raw) as { canonical: string }).canonical : null;
    };
    /** Sum and count of verity_alias_resolve_seconds over its cache outcomes, from the query-api's /metrics. */
    const resolveHistogram = async (): Promise<{ sum: number; count: number }> => {
      const lines = (await (await fetch(`${platform.urls['query-api']}/metrics`)).text()).split('\n');
      const total = (series: string) =>
        lines.filter((l) => l.startsWith(`${series}{`)).reduce((acc, l) => acc + Number(l.split(' ').pop()), 0);
      return { sum: total('verity_alias_resolve_seconds_sum'), count: total('verity_alias_resolve_seconds_count') };
    };

    it('right after a registration the token read resolves, right after a deactivation it is a 404, whatever the cache held', async () => {
      expect((await resolve('backend', 'billing', tenant)).status).toBe(404);
      const mismatches: string[] = [];
      // From round 2 on, the cache may still hold the resolution the last deactivation removed
      // (the projector deletes it after its commit) when the token read comes.
      for (let round = 1; round <= 5; round += 1) {
        const canonical = `billing-v${round}`;
        const registered = await command(REGISTER, { alias: 'billing', context: 'backend', canonical });
        const afterRegister = seen(await resolve('backend', 'billing', tenant, withToken(registered)));
        if (
          afterRegister.status !== 200 ||
          afterRegister.canonical !== canonical ||
          afterRegister.consistency !== 'fresh'
        )
          mismatches.push(`round ${round} register: ${JSON.stringify(afterRegister)}`);
        // Without a token it now answers from the cache (the token read refilled it).
        expect(seen(await resolve('backend', 'billing', tenant))).toEqual({
          status: 200,
          consistency: null,
          canonical,
        });
        const deactivated = await command(DEACTIVATE, { alias: 'billing', context: 'backend' });
        const afterDeactivate = seen(await resolve('backend', 'billing', tenant, withToken(deactivated)));
        if (afterDeactivate.status !== 404 || afterDeactivate.consistency !== 'fresh')
          mismatches.push(`round ${round} deactivate: ${JSON.stringify(afterDeactivate)}`);
      }
      expect(mismatches).toEqual([]);
    });

    // The projector updates Redis after its PostgreSQL commit, then publishes its checkpoint
    // notice: a token read the notice answers may take the cache, which already holds the write.
    // (One that learns the checkpoint from PostgreSQL skips the cache: consistency.int.spec.)
    it('answers from the cache the projector updated before the notice that ended the wait', async () => {
      const key = aliasResolveKey(platform.prefix, tenant, 'backend', 'ledger');
      const first = await command(REGISTER, { alias: 'ledger', context: 'backend', canonical: 'ledger-v1' });
      expect(seen(await resolve('backend', 'ledger', tenant, withToken(first)))).toEqual({
        status: 200,
        consistency: 'fresh',
        canonical: 'ledger-v1',
      });
      const repointed = await command(REGISTER, { alias: 'ledger', context: 'backend', canonical: 'ledger-v2' });
      const fresh = await resolve('backend', 'ledger', tenant, withToken(repointed));
      expect(seen(fresh)).toEqual({ status: 200, consistency: 'fresh', canonical: 'ledger-v2' });
      // Whether the answer came from the cache or PostgreSQL, the cache holds the new resolution.
      expect(['hit', 'miss']).toContain(fresh.headers.get('x-cache'));
      expect(await cachedCanonical(key)).toBe('ledger-v2');

      const deactivated = await command(DEACTIVATE, { alias: 'ledger', context: 'backend' });
      const gone = await resolve('backend', 'ledger', tenant, withToken(deactivated));
      expect({ status: gone.status, consistency: gone.headers.get('x-consistency') }).toEqual({
        status: 404,
        consistency: 'fresh',
      });
      expect(gone.headers.get('content-type')).toContain('application/problem+json');
      expect(gone.body).toMatchObject({ code: 'not_found', context: 'backend', alias: 'ledger' });
      expect(await cachedCanonical(key)).toBeNull();
    });

    it('a token not reached within VERITY_CONSISTENCY_TIMEOUT_MS answers stale at the bound, the wait kept out of the latency histogram', async () => {
      await command(REGISTER, { alias: 'invoices', context: 'system', canonical: 'invoice-service' });
      await until('system', 'invoices', 200, tenant);
      const ahead = encodeConsistencyToken({ topic: topics.events, offsets: { 0: '1000000000' } });
      const before = await resolveHistogram();
      const started = Date.now();
      const res = await resolve('system', 'invoices', tenant, { 'X-Consistency-Token': ahead });
      const elapsed = Date.now() - started;
      expect(seen(res)).toEqual({ status: 200, consistency: 'stale', canonical: 'invoice-service' });
      expect(elapsed).toBeGreaterThanOrEqual(CONSISTENCY_TIMEOUT_MS);
      expect(elapsed).toBeLessThan(CONSISTENCY_TIMEOUT_MS + 2_000);
      const after = await resolveHistogram();
      expect(after.count - before.count).toBe(1);
      expect(after.sum - before.sum).toBeLessThan(CONSISTENCY_TIMEOUT_MS / 1000);
    });

    describe('a token this read model cannot wait for', () => {
      const key = () => aliasResolveKey(platform.prefix, tenant, 'frontend', 'shop');
      beforeAll(async () => {
        const registered = await command(REGISTER, { alias: 'shop', context: 'frontend', canonical: 'shop-ui' });
        expect((await resolve('frontend', 'shop', tenant, withToken(registered))).status).toBe(200);
      });

      it.each([
        ['not a token', () => 'garbage!', /not base64url JSON/],
        [
          "a token of another context's events topic",
          () =>
            encodeConsistencyToken({ topic: contextTopics('catalog', platform.prefix).events, offsets: { 0: '1' } }),
          /token is for .*catalog/,
        ],
      ])('%s is a 400 invalid_consistency_token; nothing is read or written', async (_name, token, detail) => {
        await platform.redis.del(key());
        const before = await resolveHistogram();
        const res = await resolve('frontend', 'shop', tenant, { 'X-Consistency-Token': token() });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('x-consistency')).toBeNull();
        expect(res.body).toMatchObject({ code: 'invalid_consistency_token' });
        expect(String(res.body.detail)).toMatch(detail);
        // No read-through ran: the cache was not refilled and no resolve was timed.
        expect(await platform.redis.get(key())).toBeNull();
        expect(await resolveHistogram()).toEqual(before);
        expect((await resolve('frontend', 'shop', tenant)).body).toEqual({ canonical_name: 'shop-ui' });
      });
    });
  });

  describe('X-Consistency-Token on the listings: read-your-writes', () => {
    const tenant = 'ryw-lists';
    const as = (actor: string) => ({ 'X-Tenant-Id': tenant, 'X-Actor': actor });
    const withToken = (reply: { body: Record<string, unknown> }) => ({
      'X-Consistency-Token': String(reply.body.consistencyToken),
    });
    const command = async (type: string, payload: unknown, actor = 'alice') => {
      const reply = await postCommand(platform, type, payload, as(actor));
      expect(reply.status).toBe(200);
      return reply;
    };

    it('right after a registration the token read lists the alias, right after a clash it lists the conflict', async () => {
      const registered = await command(REGISTER, {
        alias: 'payments',
        context: 'backend',
        canonical: 'payment-service',
      });
      const aliases = await get('/v1/aliases?context=backend', tenant, withToken(registered));
      expect({ status: aliases.status, consistency: aliases.headers.get('x-consistency') }).toEqual({
        status: 200,
        consistency: 'fresh',
      });
      expect(aliases.body.items).toEqual([
        expect.objectContaining({
          alias: 'payments',
          context: 'backend',
          canonical: 'payment-service',
          status: 'active',
        }),
      ]);

      // Another owner's registration of the same alias is detected as a conflict, not applied.
      const clash = await command(REGISTER, { alias: 'payments', context: 'backend', canonical: 'billing' }, 'bob');
      expect(clash.body).toMatchObject({ events: [{ type: 'verity.aliases.AliasConflictDetected' }] });
      const conflicts = await get('/v1/aliases/conflicts?status=open', tenant, withToken(clash));
      expect({ status: conflicts.status, consistency: conflicts.headers.get('x-consistency') }).toEqual({
        status: 200,
        consistency: 'fresh',
      });
      expect(conflicts.body.items).toEqual([
        expect.objectContaining({
          alias: 'payments',
          context: 'backend',
          canonical: 'billing',
          owner: 'bob',
          existingOwner: 'alice',
          kind: 'alias_taken',
          status: 'open',
        }),
      ]);
    });

    it.each([['/v1/aliases'], ['/v1/aliases/conflicts']])(
      'a malformed token on %s is a 400 invalid_consistency_token',
      async (path) => {
        const res = await get(path, tenant, { 'X-Consistency-Token': 'garbage!' });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('x-consistency')).toBeNull();
        expect(res.body).toMatchObject({ code: 'invalid_consistency_token' });
        expect(String(res.body.detail)).toMatch(/not base64url JSON/);
      },
    );
  });

  describe('bad input is a 400 problem+json naming the field, and appends nothing', () => {
    const reads: [string, string, string][] = [
      ['resolve with an unknown context', '/api/aliases/resolve/mobile/orders', 'context'],
      ['resolve with an alias too long', `/api/aliases/resolve/backend/${'a'.repeat(129)}`, 'alias'],
      ['a list with an unknown context', '/v1/aliases?context=mobile', 'context'],
      ['a list with limit 0', '/v1/aliases?limit=0', 'limit'],
      ['a list with a forged cursor', '/v1/aliases?cursor=abc', 'cursor'],
      ['conflicts with an unknown status', '/v1/aliases/conflicts?status=maybe', 'status'],
    ];
    it.each(reads)('%s', async (_name, path, field) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ path: field }] });
      expect(String(res.body.detail)).toContain(field);
    });

    it("a tenant header other than the credential's on a read: 403; one that is no tenant id: 400", async () => {
      const path = '/api/aliases/resolve/backend/orders';
      const foreign = await get(path, 'other-tenant', await platform.credential());
      expect({ status: foreign.status, body: foreign.body }).toMatchObject({
        status: 403,
        body: { code: 'foreign_tenant' },
      });
      const operator = await platform.credential({ roles: ['reader', 'platform-operator'] });
      for (const credential of [await platform.credential(), operator]) {
        const malformed = await get(path, 'Not A Tenant!', credential);
        expect({ status: malformed.status, body: malformed.body }).toMatchObject({
          status: 400,
          body: { code: 'invalid_header', header: 'X-Tenant-Id' },
        });
      }
    });

    const commands: [string, string, unknown, string][] = [
      ['RegisterAlias without canonical', REGISTER, { alias: 'x-y', context: 'backend' }, 'canonical'],
      [
        'RegisterAlias with an unknown context',
        REGISTER,
        { alias: 'x-y', context: 'mobile', canonical: 'c' },
        'context',
      ],
      [
        'RegisterAlias with a bad expiresAt',
        REGISTER,
        { alias: 'x-y', context: 'backend', canonical: 'c', expiresAt: 'tomorrow' },
        'expiresAt',
      ],
      ['DeactivateAlias without alias', DEACTIVATE, { context: 'backend' }, 'alias'],
      ['SetGovernance with a broken pattern', GOVERN, { namingPattern: '(' }, 'namingPattern'],
      ['SetGovernance with maxAliasesPerCanonical 0', GOVERN, { maxAliasesPerCanonical: 0 }, 'maxAliasesPerCanonical'],
      [
        'ResolveAliasConflict with resolution maybe',
        RESOLVE_CONFLICT,
        { conflictId: 'c-1', resolution: 'maybe' },
        'resolution',
      ],
    ];
    it.each(commands)('%s', async (_name, type, body, field) => {
      const before = {
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      };
      const res = await postCommand(platform, type, body, { 'X-Tenant-Id': 'acme' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed' });
      expect(String(res.body.detail)).toContain(field);
      expect({
        commands: await platform.endOffsets(topics.commands),
        events: await platform.endOffsets(topics.events),
      }).toEqual(before);
    });
  });
});
