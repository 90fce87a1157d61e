import knex from 'knex';
import { aliasResolutionsTopic } from '@verity/events';
import { ALIAS_RESOLUTIONS_TABLE, type ResolutionRow } from '@verity/projection-alias-resolutions';
import { runCli } from './testing/run-cli';
import { issueKey, keyIdOf, postGraphql } from './testing/query-access';
import { eventually, postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

/** The query-api's VERITY_QUERY_DATABASE_URL by default (the CLI may not import the query-api to parse it). */
const LOCAL_READER_URL = 'postgres://verity_reader:verity_reader@127.0.0.1:5442/verity';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** What the audit says of each resolution, without its id, time and instance. */
const summary = (r: ResolutionRow) => [
  r.actor,
  r.credentialKind,
  r.context,
  r.alias,
  r.outcome,
  r.canonical,
  r.consistencyToken,
];

describe('alias resolution log: resolve → buffer → Kafka → projector → PostgreSQL → audit route and CLI', () => {
  let platform: TestPlatform;
  let actorA: Record<string, string>;
  let apiKeyA: string;
  /** What tenant acme's resolutions must show, oldest first. */
  let expected: unknown[][];

  const get = async (path: string, headers: Record<string, string>): Promise<Answer> => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, { headers });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const resolve = (context: string, alias: string, headers: Record<string, string>) =>
    get(`/api/aliases/resolve/${context}/${alias}`, headers);
  const auditor = (tenant: string) =>
    platform.credential({ tenant, roles: ['admin:aliases'], subject: `auditor-${tenant}` });
  const audit = async (tenant: string, query = ''): Promise<Answer> =>
    get(`/api/aliases/audit/resolutions${query}`, await auditor(tenant));
  /** Every row of the tenant's log once it holds `count`: recording is off the request path, so it trails. */
  const logOf = (tenant: string, count: number): Promise<ResolutionRow[]> =>
    eventually(
      async () => {
        const page = await audit(tenant, '?limit=1000');
        const items = page.body.items as ResolutionRow[] | undefined;
        return items && items.length >= count ? items : undefined;
      },
      30_000,
      `${count} resolutions of ${tenant} in the audit`,
    );

  beforeAll(async () => {
    platform = await startTestPlatform();
    actorA = await platform.credential({ tenant: 'acme', roles: ['reader:aliases'], subject: 'app-a' });
    apiKeyA = await issueKey(platform, 'acme', ['reader:backend']);

    const registered = await postCommand(
      platform,
      'aliases.RegisterAlias',
      { alias: 'orders', context: 'backend', canonical: 'order-service' },
      { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' },
    );
    expect(registered.status).toBe(200);
    // With the reply's token the resolve waits for the read model: one answer, no polling to record.
    const token = { 'X-Consistency-Token': registered.body.consistencyToken as string };
    expect((await resolve('backend', 'orders', { ...actorA, ...token })).body).toEqual({
      canonical_name: 'order-service',
    });
    const again = await resolve('backend', 'orders', actorA);
    expect({ status: again.status, body: again.body }).toEqual({
      status: 200,
      body: { canonical_name: 'order-service' },
    });
    expect((await resolve('backend', 'nope', actorA)).status).toBe(404);

    const deactivated = await postCommand(
      platform,
      'aliases.DeactivateAlias',
      { alias: 'orders', context: 'backend' },
      { 'X-Tenant-Id': 'acme', 'X-Actor': 'bob' },
    );
    expect(deactivated.status).toBe(200);
    const gone = await resolve('backend', 'orders', {
      ...actorA,
      'X-Consistency-Token': deactivated.body.consistencyToken as string,
    });
    expect(gone.status).toBe(404);
    expect((await resolve('backend', 'orders', { 'X-Api-Key': apiKeyA })).status).toBe(404);

    const actorB = await platform.credential({ tenant: 'globex', roles: ['reader'], subject: 'app-b' });
    expect((await resolve('frontend', 'orders', actorB)).status).toBe(404);
    // GraphQL's resolveAlias is a resolve too.
    const actorC = await platform.credential({ tenant: 'initech', roles: ['reader:aliases'], subject: 'app-c' });
    const graphql = await postGraphql(
      platform.urls['query-api']!,
      '{ resolveAlias(context: system, alias: "orders") { canonical } }',
      actorC,
    );
    expect({ status: graphql.status, body: JSON.parse(graphql.text) as unknown }).toEqual({
      status: 200,
      body: { data: { resolveAlias: null } },
    });

    expected = [
      ['app-a', 'jwt', 'backend', 'orders', 'resolved', 'order-service', true],
      ['app-a', 'jwt', 'backend', 'orders', 'resolved', 'order-service', false],
      ['app-a', 'jwt', 'backend', 'nope', 'not_found', null, false],
      ['app-a', 'jwt', 'backend', 'orders', 'not_found', null, true],
      [keyIdOf(apiKeyA), 'api-key', 'backend', 'orders', 'not_found', null, false],
    ];
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('records every resolve on its own topic, keyed by tenant, Avro through the registry', async () => {
    const records = await platform.readTopic(aliasResolutionsTopic(platform.prefix), (m) => m.length >= 7);
    expect(records.map((m) => m.key?.toString()).sort()).toEqual([
      'acme',
      'acme',
      'acme',
      'acme',
      'acme',
      'globex',
      'initech',
    ]);
    const decoded = (await Promise.all(records.map((m) => platform.registry.decode(m.value!)))) as Record<
      string,
      unknown
    >[];
    expect(decoded.find((r) => r.tenant === 'globex')).toMatchObject({
      actor: 'app-b',
      context: 'frontend',
      alias: 'orders',
      canonical: null,
      consistencyToken: false,
    });
  });

  it("the audit route shows who resolved what, when and with which outcome, of the credential's tenant only", async () => {
    const rows = await logOf('acme', expected.length);
    expect(rows.map(summary)).toEqual(expected);
    const times = rows.map((r) => Date.parse(r.resolvedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(rows.map((r) => r.instance)).size).toBe(1);
    expect(rows[0]!.instance).toMatch(/^.+\/\d+\/[0-9a-f]{8}$/);

    const globex = await logOf('globex', 1);
    expect(globex.map(summary)).toEqual([['app-b', 'jwt', 'frontend', 'orders', 'not_found', null, false]]);
    const initech = await logOf('initech', 1);
    expect(initech.map(summary)).toEqual([['app-c', 'jwt', 'system', 'orders', 'not_found', null, false]]);
    // Another tenant's auditor sees none of acme's; nor does the reader role, unless the tenant is set.
    expect(globex.some((r) => r.actor === 'app-a')).toBe(false);
    const reader = knex({
      client: 'pg',
      connection: platform.env.VERITY_QUERY_DATABASE_URL ?? LOCAL_READER_URL,
    });
    try {
      const { rows: unset } = await reader.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM ??.??', [
        platform.schema,
        ALIAS_RESOLUTIONS_TABLE,
      ]);
      expect(unset).toEqual([{ n: '0' }]);
    } finally {
      await reader.destroy();
    }
  });

  it('pages with a cursor and filters by alias, context and time', async () => {
    const all = await logOf('acme', expected.length);
    const seen: ResolutionRow[] = [];
    let query = '?limit=2';
    for (;;) {
      const page = await audit('acme', query);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as ResolutionRow[]));
      if (page.body.nextCursor === null) break;
      query = `?limit=2&cursor=${page.body.nextCursor as string}`;
    }
    expect(seen).toEqual(all);

    const nope = await audit('acme', '?alias=nope');
    expect((nope.body.items as ResolutionRow[]).map(summary)).toEqual([expected[2]]);
    expect((await audit('acme', '?context=frontend')).body).toEqual({ items: [], nextCursor: null });
    const from = encodeURIComponent(all[3]!.resolvedAt);
    const later = await audit('acme', `?from=${from}&alias=orders`);
    expect((later.body.items as ResolutionRow[]).map(summary)).toEqual(expected.slice(3));
    // A deactivation lies between the third and the fourth: their times differ.
    const before = await audit('acme', `?to=${encodeURIComponent(all[3]!.resolvedAt)}`);
    expect((before.body.items as ResolutionRow[]).map(summary)).toEqual(expected.slice(0, 3));
  });

  it('needs a credential (401) holding admin:aliases (403); a bad parameter is a 400, all problem+json', async () => {
    const anonymous = await get('/api/aliases/audit/resolutions', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');

    const forbidden = await get('/api/aliases/audit/resolutions', actorA);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    expect(forbidden.body).toMatchObject({ code: 'insufficient_permission', missingPermission: 'admin:aliases' });
    const asKey = await get('/api/aliases/audit/resolutions', { 'X-Api-Key': apiKeyA });
    expect(asKey.status).toBe(403);

    for (const [query, path] of [
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?cursor=not-ours', 'cursor'],
      ['?context=middle', 'context'],
      ['?from=yesterday', 'from'],
      ['?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
      ['?tenant=globex', 'tenant'],
      ['?alias=a&alias=b', 'alias'],
    ]) {
      const bad = await audit('acme', query);
      expect({ query, status: bad.status, code: bad.body.code }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
      });
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect((bad.body.errors as { path: string }[])[0]!.path).toBe(path);
    }
    const foreign = await get('/api/aliases/audit/resolutions', {
      ...(await auditor('acme')),
      'X-Tenant-Id': 'globex',
    });
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({ status: 403, code: 'foreign_tenant' });
  });

  it('verity audit aliases --resolutions lists the same log, per tenant; the events listing stays as it was', async () => {
    await logOf('acme', expected.length);
    const json = await runCli(platform.env, 'audit', 'aliases', '--tenant', 'acme', '--resolutions', '--json');
    expect(json.code).toBe(0);
    const rows = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ResolutionRow);
    expect(rows.map(summary)).toEqual(expected);
    expect(json.stderr).toBe('5 resolutions: 2 resolved, 3 not found\n');

    const table = await runCli(
      platform.env,
      'audit',
      'aliases',
      '--tenant',
      'acme',
      '--resolutions',
      '--alias',
      'nope',
    );
    expect(table.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^TIME\s+COUNT\s+CONTEXT\s+ALIAS\s+OUTCOME\s+CANONICAL\s+ACTOR\s+CREDENTIAL\s+INSTANCE$/),
      expect.stringMatching(/^\S+Z\s+1\s+backend\s+nope\s+not_found\s+-\s+app-a\s+jwt\s+\S+$/),
    ]);

    const globex = await runCli(platform.env, 'audit', 'aliases', '--tenant', 'globex', '--resolutions', '--json');
    expect(
      globex.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as ResolutionRow).actor),
    ).toEqual(['app-b']);

    const events = await runCli(platform.env, 'audit', 'aliases', '--tenant', 'acme', '--json');
    expect(
      events.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { action: string }).action),
    ).toEqual(['AliasRegistered', 'AliasDeactivated']);
  });

  it('records the identical answers of a window as one row with their count', async () => {
    const hot = await platform.credential({ tenant: 'hooli', roles: ['reader:aliases'], subject: 'app-h' });
    const answers = await Promise.all(Array.from({ length: 50 }, () => resolve('backend', 'hot', hot)));
    expect(answers.every((a) => a.status === 404)).toBe(true);
    const rows = await eventually(
      async () => {
        const items = (await audit('hooli', '?limit=1000')).body.items as ResolutionRow[] | undefined;
        return items && items.reduce((sum, r) => sum + r.count, 0) >= answers.length ? items : undefined;
      },
      30_000,
      'the 50 answers in the log',
    );
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(answers.length);
    // Sent at once, they fall in a few windows of 200 ms (each a PostgreSQL read: a 404 is not cached).
    expect(rows.length).toBeLessThan(answers.length);
    expect(rows.some((r) => r.count > 1)).toBe(true);
    for (const row of rows) {
      expect(summary(row)).toEqual(['app-h', 'jwt', 'backend', 'hot', 'not_found', null, false]);
      expect(Date.parse(row.lastResolvedAt)).toBeGreaterThanOrEqual(Date.parse(row.resolvedAt));
    }
    const cli = await runCli(platform.env, 'audit', 'aliases', '--tenant', 'hooli', '--resolutions', '--json');
    expect(cli.stderr).toBe('50 resolutions: 0 resolved, 50 not found\n');
  });

  it('exposes how many resolutions went unrecorded on /metrics', async () => {
    const res = await fetch(`${platform.urls['query-api']}/metrics`);
    const text = await res.text();
    expect(text).toContain('# TYPE verity_alias_resolutions_unrecorded_total counter');
    expect(text).toMatch(/^verity_alias_resolutions_buffered 0$/m);
  });
});

describe('alias resolution log with its sink down: the resolve answers, the drops are counted', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // No registry answers here, so no record can be encoded: every send fails and the buffer fills.
    platform = await startTestPlatform(['projector', 'query-api'], {
      env: {
        VERITY_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7',
        VERITY_ALIAS_RESOLUTIONS_BUFFER: '2',
        VERITY_ALIAS_RESOLUTIONS_FLUSH_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('answers every resolve, holds two, and counts the rest as unrecorded', async () => {
    const credential = await platform.credential({ tenant: 'acme', roles: ['reader:aliases'], subject: 'app-a' });
    // Five aliases: five distinct answers, five records however the windows fall.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${platform.urls['query-api']}/api/aliases/resolve/backend/orders-${i}`, {
        headers: credential,
      });
      expect(res.status).toBe(404);
    }
    // Once the last window (50 ms) has gone to the buffer.
    await eventually(
      async () => {
        const metrics = await (await fetch(`${platform.urls['query-api']}/metrics`)).text();
        return /^verity_alias_resolutions_unrecorded_total\{reason="buffer_full"\} 3$/m.test(metrics) &&
          /^verity_alias_resolutions_buffered 2$/m.test(metrics)
          ? true
          : undefined;
      },
      5_000,
      'two held and three counted as unrecorded',
    );
  });
});
