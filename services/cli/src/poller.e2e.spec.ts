import { randomBytes } from 'node:crypto';
import { contextTopics, ingestorDeadLettersTopic } from '@verity/events';
import { PollerSource } from './poller-test-source';
import { runPollers } from './pollers-command';
import { createService, type NamedService } from './services';
import { eventually, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pollers: delta, checksum skip, drift, backoff and one poller per source', () => {
  let platform: TestPlatform;
  const sources: PollerSource[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'query-api', 'poller'], {
      env: {
        VERITY_SECRETS_KEY: randomBytes(32).toString('base64'),
        VERITY_POLLER_TICK_MS: '100',
        VERITY_POLLER_RETRIES: '5',
        VERITY_POLLER_BACKOFF_BASE_MS: '200',
        VERITY_POLLER_BACKOFF_MAX_MS: '5000',
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    for (const source of sources) await source.stop();
  });

  async function newSource(): Promise<PollerSource> {
    const source = new PollerSource();
    await source.start();
    sources.push(source);
    return source;
  }

  async function pollers(
    method: string,
    path: string,
    tenant: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${platform.urls.poller}/v1/pollers${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(headers ?? (await platform.credential({ tenant }))),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function stockOf(tenant: string, sku: string): Promise<Record<string, number> | undefined> {
    const res = await fetch(`${platform.urls['query-api']}/v1/inventory/${sku}`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': tenant }),
    });
    if (res.status !== 200) return undefined;
    const view = (await res.json()) as { locations: { location: string; onHand: number }[] };
    return Object.fromEntries(view.locations.map((l) => [l.location, l.onHand]));
  }

  async function productOf(tenant: string, sku: string): Promise<Record<string, unknown> | undefined> {
    const res = await fetch(`${platform.urls['query-api']}/v1/catalog/products/${sku}`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': tenant }),
    });
    return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
  }

  const commandsEnd = async (context: string) => {
    const offsets = await platform.endOffsets(contextTopics(context, platform.prefix).commands);
    return Object.values(offsets).reduce((n, o) => n + Number(o), 0);
  };

  it('refuses configuration without a credential (401), from a reader (403), and bad settings (400, 404)', async () => {
    const settings = { url: 'http://127.0.0.1:1', interval: '5m' };
    expect((await pollers('PUT', '/netsuite', 'acme', settings, {})).status).toBe(401);
    const reader = await platform.credential({ tenant: 'acme', roles: ['reader'] });
    const refused = await pollers('PUT', '/netsuite', 'acme', settings, reader);
    expect(refused).toMatchObject({ status: 403, body: { code: 'insufficient_permission' } });
    const bad = await pollers('PUT', '/netsuite', 'acme', { url: 'ftp://x', interval: 'soon', pageSize: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/url/);
    expect(bad.body.detail).toMatch(/interval/);
    expect(bad.body.detail).toMatch(/pageSize/);
    expect((await pollers('PUT', '/nowhere', 'acme', settings)).status).toBe(404);
    expect((await pollers('GET', '', 'acme')).body).toEqual({ pollers: [] });
  });

  it('delta: every record on the first poll, then only the changed one; values visible through the query-api', async () => {
    const source = await newSource();
    source.token = 'sesame-delta';
    for (let i = 1; i <= 5; i += 1)
      source.put('inventory', `D-${i}`, { sku: `D-${i}`, location: 'main', quantity: i * 10 });
    source.put('products', 'D-1', { sku: 'D-1', name: 'Delta one', unit: 'ea' });
    const set = await pollers('PUT', '/netsuite', 'delta', {
      url: source.url,
      interval: '2s',
      pageSize: 2,
      credential: { type: 'bearer', token: 'sesame-delta' },
    });
    expect(set).toMatchObject({ status: 201, body: { intervalMs: 2000, pageSize: 2, credential: { type: 'bearer' } } });
    expect(JSON.stringify((await pollers('GET', '', 'delta')).body)).not.toContain('sesame-delta');

    for (let i = 1; i <= 5; i += 1)
      await eventually(
        async () => ((await stockOf('delta', `D-${i}`))?.main === i * 10 ? true : undefined),
        30_000,
        `D-${i}`,
      );
    await eventually(async () => ((await productOf('delta', 'D-1'))?.unit === 'EA' ? true : undefined), 30_000, 'D-1');
    // Five records, two a page: three pages, and the source saw the credential.
    expect(source.requests.filter((r) => r.kind === 'inventory').length).toBeGreaterThanOrEqual(3);
    expect(source.requests.every((r) => r.authorization === 'Bearer sesame-delta')).toBe(true);
    const before = await commandsEnd('inventory');

    source.put('inventory', 'D-3', { sku: 'D-3', location: 'main', quantity: 333 });
    source.put('products', 'D-1', { sku: 'D-1', name: 'Delta one, renamed', unit: 'ea' });
    await eventually(async () => ((await stockOf('delta', 'D-3'))?.main === 333 ? true : undefined), 30_000, 'D-3');
    await eventually(
      async () => ((await productOf('delta', 'D-1'))?.name === 'Delta one, renamed' ? true : undefined),
      30_000,
      'renamed',
    );
    expect(await commandsEnd('inventory')).toBe(before + 1);
    // The later polls asked from the cursor: the newest updated_at seen.
    expect(source.pollsOf('inventory').at(-1)?.query.updated_since).toBeDefined();
  });

  it('checksum skip: a record re-delivered with nothing changed (even a newer updated_at) appends nothing', async () => {
    const source = await newSource();
    source.put('inventory', 'S-1', { sku: 'S-1', location: 'main', quantity: 7 });
    await pollers('PUT', '/shopify', 'skip', { url: source.url, interval: '1s', kinds: ['inventory'] });
    await eventually(async () => ((await stockOf('skip', 'S-1'))?.main === 7 ? true : undefined), 30_000, 'S-1');
    const inventory = await commandsEnd('inventory');
    const catalog = await commandsEnd('catalog');
    const polled = source.pollsOf('inventory').length;

    source.put('inventory', 'S-1', { sku: 'S-1', location: 'main', quantity: 7 });
    await eventually(
      async () => (source.pollsOf('inventory').length >= polled + 3 ? true : undefined),
      20_000,
      'three more polls',
    );
    expect(source.pollsOf('inventory').at(-1)?.query.updated_since).toBe(
      source.records.get('inventory')!.get('S-1')!.updated_at,
    );
    expect(await commandsEnd('inventory')).toBe(inventory);
    expect(await commandsEnd('catalog')).toBe(catalog);
    const metrics = await (
      await fetch(`${platform.urls.poller}/metrics`, {
        headers: await platform.credential({ roles: ['admin', 'reader:metrics'] }),
      })
    ).text();
    expect(metrics).toMatch(
      /verity_sync_changes_total\{ingestor="poller",source="shopify",tenant="skip",outcome="skipped_unchanged"\} [1-9]/,
    );
  });

  it('drift: records missing on either side and values that differ, as matching over total', async () => {
    const source = await newSource();
    for (const sku of ['F-1', 'F-2', 'F-3', 'F-4'])
      source.put('inventory', sku, { sku, location: 'main', quantity: 4 });
    // An hour: the first poll syncs, and no other runs before the comparison.
    await pollers('PUT', '/sap-b1', 'drift', { url: source.url, interval: '60m', kinds: ['inventory'] });
    // Each SKU is its own stream, on its own partition: wait for every one, not the last sent.
    for (const sku of ['F-1', 'F-2', 'F-3', 'F-4'])
      await eventually(async () => ((await stockOf('drift', sku))?.main === 4 ? true : undefined), 30_000, sku);
    expect((await pollers('GET', '/sap-b1/drift', 'drift')).body).toMatchObject({ accuracy: 1 });

    source.put('inventory', 'F-2', { sku: 'F-2', location: 'main', quantity: 5 });
    source.remove('inventory', 'F-3');
    source.put('inventory', 'F-9', { sku: 'F-9', location: 'main', quantity: 9 });
    const drift = await pollers('GET', '/sap-b1/drift', 'drift');
    expect(drift.status).toBe(200);
    expect(drift.body).toMatchObject({
      accuracy: 2 / 5,
      reports: [
        {
          kind: 'inventory',
          total: 5,
          matching: 2,
          missingInVerity: ['F-9@main'],
          missingInSource: ['F-3@main'],
          differing: [{ key: 'F-2@main', field: 'onHand', source: 5, verity: 4 }],
        },
      ],
    });
  });

  it('sends a record that maps to no command to the dead letters, naming the field, and the others on', async () => {
    const source = await newSource();
    source.put('inventory', 'L-1', { sku: 'L-1', location: 'main', updated_by: 'nobody' });
    source.put('inventory', 'L-2', { sku: 'L-2', location: 'main', quantity: -3 });
    source.put('inventory', 'L-3', { sku: 'L-3', location: 'main', quantity: 3 });
    await pollers('PUT', '/shopify', 'letters', { url: source.url, interval: '60m', kinds: ['inventory'] });
    await eventually(async () => ((await stockOf('letters', 'L-3'))?.main === 3 ? true : undefined), 30_000, 'L-3');
    const letters = (
      await platform.readTopic(
        ingestorDeadLettersTopic('poller', platform.prefix),
        (messages) => messages.filter((m) => m.value?.toString().includes('"letters"')).length >= 2,
      )
    )
      .map((m) => JSON.parse(m.value!.toString()) as Record<string, string>)
      .filter((l) => l.tenant === 'letters');
    expect(letters).toEqual([
      expect.objectContaining({
        ingestor: 'poller',
        source: 'shopify',
        position: 'inventory',
        reason: expect.stringMatching(/quantity/),
      }),
      expect.objectContaining({ reason: expect.stringMatching(/onHand/) }),
    ]);
    expect(JSON.parse(letters[1]!.original!)).toMatchObject({ sku: 'L-2', quantity: -3 });
  });

  it('backs off on 500s (growing, jittered waits) and waits what a 429 Retry-After asks', async () => {
    const source = await newSource();
    source.put('inventory', 'B-1', { sku: 'B-1', location: 'main', quantity: 1 });
    source.failNext = 3;
    source.rateLimitNext = 1;
    source.retryAfterS = 2;
    await pollers('PUT', '/dynamics-365', 'backoff', { url: source.url, interval: '60m', kinds: ['inventory'] });
    await eventually(async () => ((await stockOf('backoff', 'B-1'))?.main === 1 ? true : undefined), 30_000, 'B-1');
    const [first, ...rest] = source.requests.slice(0, 5);
    expect([first, ...rest].map((r) => r!.status)).toEqual([500, 500, 500, 429, 200]);
    const gaps = rest.map((r, i) => r.at - (i === 0 ? first!.at : rest[i - 1]!.at));
    // Full jitter over the upper half of windows of 200, 400 and 800 ms, then Retry-After: 2.
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
    expect(gaps[2]).toBeLessThan(1_500);
    expect(gaps[3]).toBeGreaterThanOrEqual(1_950);
  });

  it('with two poller instances running, one polls a source per interval', async () => {
    const second: NamedService = createService('poller', { ...platform.env, VERITY_POLLER_PORT: '0' });
    await second.start();
    try {
      const source = await newSource();
      source.put('inventory', 'T-1', { sku: 'T-1', location: 'main', quantity: 1 });
      await pollers('PUT', '/erp-db', 'twice', { url: source.url, interval: '2s', kinds: ['inventory'] });
      await sleep(9_000);
      const starts = source.pollsOf('inventory').map((r) => r.at);
      // 9 s at 2 s: four or five polls, not the ten two unlocked pollers would make.
      expect(starts.length).toBeGreaterThanOrEqual(4);
      expect(starts.length).toBeLessThanOrEqual(5);
      const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_900);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('verity pollers set, list, compare and remove through the configuration API; the token never printed', async () => {
    const source = await newSource();
    source.token = 'sesame-cli';
    source.put('inventory', 'C-1', { sku: 'C-1', location: 'main', quantity: 3 });
    const { authorization } = await platform.credential({ tenant: 'cli' });
    const env = { VERITY_POLLER_URL: platform.urls.poller, VERITY_API_KEY: authorization!.slice('Bearer '.length) };
    const cli = async (...args: string[]) => {
      let out = '';
      const code = await runPollers(args, { env, stdout: { write: (text: string) => (out += text) } });
      return { code, out };
    };
    const set = await cli('set', '--tenant', 'cli', '--source', 'netsuite', '--url', source.url, '--interval', '30m');
    expect(set).toEqual({
      code: 0,
      out: `poller netsuite of tenant cli: every 30m, inventory and products from ${source.url}\n`,
    });
    await cli(
      'set',
      '--tenant',
      'cli',
      '--source',
      'netsuite',
      '--url',
      source.url,
      '--interval',
      '30m',
      '--kinds',
      'inventory',
      '--token',
      'sesame-cli',
    );
    const list = await cli('list', '--tenant', 'cli');
    expect(list.out).toMatch(/netsuite\s+30m\s+100\s+inventory\s+bearer/);
    expect(list.out).not.toContain('sesame-cli');
    await eventually(async () => ((await stockOf('cli', 'C-1'))?.main === 3 ? true : undefined), 30_000, 'C-1');
    source.put('inventory', 'C-1', { sku: 'C-1', location: 'main', quantity: 4 });
    expect((await cli('compare', '--tenant', 'cli', '--source', 'netsuite')).out).toContain(
      'C-1@main onHand: source 4, Verity 3',
    );
    await expect(cli('compare', '--tenant', 'cli', '--source', 'shopify')).rejects.toMatchObject({
      code: 'poller_not_found',
    });
    await expect(
      cli('set', '--tenant', 'cli', '--source', 'netsuite', '--url', 'ftp://x', '--interval', '5m'),
    ).rejects.toMatchObject({
      code: 'invalid_poller_settings',
    });
    expect(await cli('remove', '--tenant', 'cli', '--source', 'netsuite')).toEqual({
      code: 0,
      out: 'poller netsuite of tenant cli removed\n',
    });
  });

  it('opens the circuit of a failing source: no polls while open, one trial after the cool-down, closed once it answers', async () => {
    // An instance of its own, without retries and with a short cool-down, alone on this source.
    const breaker: NamedService = createService('poller', {
      ...platform.env,
      VERITY_POLLER_PORT: '0',
      VERITY_POLLER_RETRIES: '0',
      VERITY_POLLER_BREAKER_THRESHOLD: '2',
      VERITY_POLLER_BREAKER_COOLDOWN_MS: '3000',
    });
    await platform.stopService('poller');
    const url = (await breaker.start()).url;
    try {
      const source = await newSource();
      source.put('inventory', 'K-1', { sku: 'K-1', location: 'main', quantity: 1 });
      source.failNext = 1_000;
      const res = await fetch(`${url}/v1/pollers/netsuite`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(await platform.credential({ tenant: 'breaker' })) },
        body: JSON.stringify({ url: source.url, interval: '1s', kinds: ['inventory'] }),
      });
      expect(res.status).toBe(201);
      await eventually(async () => (source.requests.length >= 3 ? true : undefined), 20_000, 'a trial poll');
      const [first, second, trial] = source.requests.map((r) => r.at);
      // Two failed polls an interval apart open the circuit; the trial waits out the cool-down.
      expect(second! - first!).toBeGreaterThanOrEqual(900);
      expect(trial! - second!).toBeGreaterThanOrEqual(2_900);
      const metrics = await (
        await fetch(`${url}/metrics`, { headers: await platform.credential({ roles: ['admin', 'reader:metrics'] }) })
      ).text();
      expect(metrics).toMatch(/verity_poller_circuit_state\{tenant="breaker",source="netsuite"\} 2/);

      source.failNext = 0;
      await eventually(async () => ((await stockOf('breaker', 'K-1'))?.main === 1 ? true : undefined), 30_000, 'K-1');
    } finally {
      await breaker.stop();
      await platform.startService('poller');
    }
  });

  it('removes a poller: it is no longer listed, and polling stops', async () => {
    const source = await newSource();
    source.put('inventory', 'R-1', { sku: 'R-1', location: 'main', quantity: 1 });
    await pollers('PUT', '/netsuite', 'remove', { url: source.url, interval: '1s', kinds: ['inventory'] });
    await eventually(async () => (source.pollsOf('inventory').length > 0 ? true : undefined), 20_000, 'a poll');
    expect((await pollers('DELETE', '/netsuite', 'remove')).status).toBe(204);
    expect((await pollers('DELETE', '/netsuite', 'remove')).status).toBe(404);
    expect((await pollers('GET', '', 'remove')).body).toEqual({ pollers: [] });
    await sleep(500);
    const seen = source.requests.length;
    await sleep(2_500);
    expect(source.requests.length).toBe(seen);
  });
});
