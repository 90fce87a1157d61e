import { Client } from 'pg';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestorDeadLettersTopic } from '@verity/connector-intake';
import { contextTopics, processorGroupId } from '@verity/events';
import { parseEnv, readModelEnvSchema } from '@verity/service-kit';
import { ConnectorConfigInvalidError } from './errors';
import { DEFAULT_CONNECTOR_FILE } from './connectors-apply';
import { runConnectors } from './connectors-command';
import { createConnectApi } from './connectors-connect-api';
import { databaseUrl, dropDemoErp } from './connectors-demo-erp';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

jest.setTimeout(300_000);

const CONNECT_URL = process.env.VERITY_KAFKA_CONNECT_URL ?? 'http://localhost:8083';

/**
 * The CDC path end to end with real Debezium: an ERP database of the run's own on the project's
 * PostgreSQL, its connector in Kafka Connect (own slot, publication and topic prefix), the
 * cdc-ingestor, and the platform deciding and projecting what it appends.
 */
describe('CDC from a legacy ERP database through Debezium', () => {
  let platform: TestPlatform;
  let erp: Client;
  let database: string;
  let connector: string;
  let slot: string;
  /** The stack's PostgreSQL as its superuser: the ERP database is created and dropped through it. */
  let adminUrl: string;
  let workDir: string;
  let connectorFile: string;
  const connect = createConnectApi(CONNECT_URL);
  const output: string[] = [];
  const cli = (args: string[]) =>
    runConnectors(args, { env: platform.env, stdout: { write: (text: string) => output.push(text) } });

  const read = async <T = Record<string, unknown>>(path: string) => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, { headers: await withCredential(platform) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  /** The read model's answer once `ok` holds for it. */
  const until = <T>(path: string, ok: (body: T) => boolean, what: string) =>
    eventually(
      async () => {
        const res = await read<T>(path);
        return res.status === 200 && ok(res.body) ? res.body : undefined;
      },
      60_000,
      what,
    );
  type Product = { name: string; unit: string; status: string; version: number };
  type Stock = { locations: { location: string; onHand: number }[] };
  const onHandAt = (stock: Stock, location: string) => stock.locations.find((l) => l.location === location)?.onHand;
  const CONTEXTS = ['catalog', 'inventory', 'pricing'];
  const eventEnds = () =>
    Promise.all(CONTEXTS.map((c) => platform.endOffsets(contextTopics(c, platform.prefix).events)));
  const cdcTopics = async () =>
    (await platform.admin.listTopics()).filter((t) => t.startsWith(`${platform.prefix}.cdc.`));
  /** The ingestor's default group (VERITY_CDC_GROUP_ID unset). */
  const ingestorGroup = () => `${platform.prefix}.cdc-ingestor`;
  /** Until `group` has committed every partition of `topics` to its end (-1, nothing ever committed, counts as 0). */
  const committedToEnd = (group: string, topics: string[], what: string) =>
    eventually(
      async () => {
        for (const { topic, partitions } of await platform.admin.fetchOffsets({ groupId: group, topics })) {
          const end = await platform.endOffsets(topic);
          if (partitions.some((p) => Math.max(0, Number(p.offset)) !== Number(end[p.partition]))) return undefined;
        }
        return true;
      },
      60_000,
      what,
    );
  /** The ingestor read every Debezium record, and the processors decided every command it appended. */
  const caughtUp = async () => {
    await committedToEnd(ingestorGroup(), await cdcTopics(), 'the ingestor read every record');
    for (const context of CONTEXTS)
      await committedToEnd(
        processorGroupId(context, platform.prefix),
        [contextTopics(context, platform.prefix).commands],
        `the ${context} processor decided every command`,
      );
  };

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'gateway', 'query-api', 'cdc-ingestor'], {
      env: { VERITY_CDC_TOPIC_REFRESH_MS: '500' },
    });
    adminUrl = parseEnv(readModelEnvSchema, platform.env).VERITY_DATABASE_URL;
    database = `erp_${platform.prefix}`;
    connector = `erp-${platform.prefix}`;
    slot = `cdc_${platform.prefix}`;
    workDir = await mkdtemp(join(tmpdir(), 'cdc-e2e-'));
    connectorFile = join(workDir, 'erp-postgres.json');
  });

  afterAll(async () => {
    await erp?.end();
    await connect.remove(connector).catch(() => undefined);
    try {
      await dropDemoErp(adminUrl, database, slot);
    } finally {
      await rm(workDir, { recursive: true, force: true });
      await platform?.stop();
    }
  });

  it('demo-erp creates the database (again: nothing changes); apply registers the connector; its snapshot reaches the read models', async () => {
    expect(await cli(['demo-erp', '--database', database])).toBe(0);
    expect(await cli(['demo-erp', '--database', database])).toBe(0);
    expect(output.join('')).toMatch(new RegExp(`created database ${database}[\\s\\S]*kept database ${database}`));
    erp = new Client({
      connectionString: databaseUrl(adminUrl, database),
    });
    await erp.connect();
    expect((await erp.query('SELECT count(*)::int AS n FROM items')).rows[0]).toEqual({ n: 3 });

    // The run's connector leaves the slot's confirmed position alone (flush.lsn.source=false), so the
    // slot keeps its WAL and a change can be replayed from it; the slot is dropped at the end.
    const file = JSON.parse(await readFile(DEFAULT_CONNECTOR_FILE, 'utf8')) as { config: Record<string, string> };
    file.config['flush.lsn.source'] = 'false';
    await writeFile(connectorFile, JSON.stringify(file));
    const apply = ['apply', '--file', connectorFile, '--database', database, '--name', connector, '--slot', slot];
    apply.push('--publication', slot);
    expect(await cli(apply)).toBe(0);
    expect(output.join('')).toContain(`created connector ${connector}`);
    expect(output.join('')).toContain(`topics ${platform.prefix}.cdc.erp.*, tenant default`);

    const product = await until<Product>('/v1/catalog/products/WIDGET-001', () => true, 'the snapshot of items');
    expect(product).toMatchObject({ name: 'Widget', unit: 'EA', status: 'active' });
    const stock = await until<Stock>('/v1/inventory/BOLT-M8', (s) => onHandAt(s, 'main') === 1200, 'snapshot stock');
    expect(onHandAt(stock, 'main')).toBe(1200);
    const prices = await until<{ currency: string; rules: { sku: string; unitPrice: number }[] }>(
      '/v1/pricing/price-lists/PL-EU',
      (p) => p.rules.length === 2,
      'the snapshot of price lines',
    );
    expect(prices.currency).toBe('EUR');
    expect(prices.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sku: 'WIDGET-001', unitPrice: 1299, effectiveFrom: '2026-01-01T00:00:00.000Z' }),
        expect.objectContaining({ sku: 'BOLT-M8', unitPrice: 25 }),
      ]),
    );

    // The same config again: an update, still one running connector.
    expect(await cli(apply)).toBe(0);
    expect(output.join('')).toContain(`updated connector ${connector}`);
    await eventually(async () => ((await cli(['status', connector])) === 0 ? true : undefined), 60_000, 'RUNNING');
    expect(output.join('')).toMatch(new RegExp(`${connector}  RUNNING[\\s\\S]*task 0  RUNNING`));
    expect(await cli(['status', 'no-such-connector'])).toBe(1);
    expect(output.join('')).toContain('no-such-connector  not registered');
  });

  it('an insert, an update and a delete in the ERP database reach the read models', async () => {
    await erp.query("INSERT INTO items (sku, name, unit) VALUES ('NEW-1', 'Gadget', 'EA')");
    await erp.query("INSERT INTO inventory_levels (sku, location, quantity) VALUES ('NEW-1', 'main', 7)");
    expect(await until<Product>('/v1/catalog/products/NEW-1', () => true, 'the inserted item')).toMatchObject({
      name: 'Gadget',
      status: 'active',
    });
    await until<Stock>('/v1/inventory/NEW-1', (s) => onHandAt(s, 'main') === 7, 'the inserted level');

    await erp.query("UPDATE items SET name = 'Gadget Pro', updated_at = now() WHERE sku = 'NEW-1'");
    await erp.query("UPDATE inventory_levels SET quantity = 9, updated_at = now() WHERE sku = 'NEW-1'");
    await until<Product>('/v1/catalog/products/NEW-1', (p) => p.name === 'Gadget Pro', 'the updated name');
    await until<Stock>('/v1/inventory/NEW-1', (s) => onHandAt(s, 'main') === 9, 'the updated count');

    await erp.query("DELETE FROM inventory_levels WHERE sku = 'NEW-1'");
    await erp.query("DELETE FROM items WHERE sku = 'NEW-1'");
    await until<Stock>('/v1/inventory/NEW-1', (s) => onHandAt(s, 'main') === 0, 'the deleted level');
    expect(
      await until<Product>('/v1/catalog/products/NEW-1', (p) => p.status === 'discontinued', 'the discontinued item'),
    ).toMatchObject({ name: 'Gadget Pro' });
  });

  it('an update of a price line replaces it, a delete removes it, a new start is both: the query API prices accordingly', async () => {
    type Rule = { sku: string; unitPrice: number; effectiveFrom: string; effectiveTo: string | null };
    type PriceList = { version: number; rules: Rule[] };
    const ruleOf = (list: PriceList, sku: string) => list.rules.find((r) => r.sku === sku);
    const quotePath = (sku: string) => `/v1/pricing/quote?priceListId=PL-EU&sku=${sku}&quantity=10`;
    // The quote's cached rules are dropped just after the read model commits: wait for the answer, not just the list.
    const quoteOnce = (path: string, ok: (res: { status: number; body: Record<string, unknown> }) => boolean) =>
      eventually(
        async () => {
          const res = await read(path);
          return ok(res) ? res.body : undefined;
        },
        10_000,
        `the quote ${path}`,
      );

    await erp.query(
      "UPDATE price_list_lines SET unit_price = 13.49, updated_at = now() WHERE price_list_id = 'PL-EU' AND sku = 'WIDGET-001'",
    );
    const replaced = await until<PriceList>(
      '/v1/pricing/price-lists/PL-EU',
      (l) => ruleOf(l, 'WIDGET-001')?.unitPrice === 1349,
      'the replaced price',
    );
    // Replaced in place: still one line of the SKU, same start, open-ended as in the ERP.
    expect(replaced.rules.filter((r) => r.sku === 'WIDGET-001')).toEqual([
      expect.objectContaining({ unitPrice: 1349, effectiveFrom: '2026-01-01T00:00:00.000Z', effectiveTo: null }),
    ]);
    expect(await quoteOnce(quotePath('WIDGET-001'), (r) => r.body.unitPrice === 1349)).toMatchObject({
      total: 13490,
      rule: 'base',
    });

    // A new end for the line: the quote after it finds no price.
    await erp.query(
      "UPDATE price_list_lines SET valid_to = '2026-03-01T00:00:00Z' WHERE price_list_id = 'PL-EU' AND sku = 'WIDGET-001'",
    );
    await until<PriceList>(
      '/v1/pricing/price-lists/PL-EU',
      (l) => ruleOf(l, 'WIDGET-001')?.effectiveTo === '2026-03-01T00:00:00.000Z',
      'the line ended',
    );
    expect((await read(`${quotePath('WIDGET-001')}&at=2026-02-01T00:00:00Z`)).body).toMatchObject({ unitPrice: 1349 });
    expect(await quoteOnce(quotePath('WIDGET-001'), (r) => r.status === 404)).toMatchObject({ code: 'no_price' });

    await erp.query("DELETE FROM price_list_lines WHERE price_list_id = 'PL-EU' AND sku = 'BOLT-M8'");
    const removed = await until<PriceList>(
      '/v1/pricing/price-lists/PL-EU',
      (l) => ruleOf(l, 'BOLT-M8') === undefined,
      'the removed line',
    );
    expect(removed.rules.map((r) => r.sku)).toEqual(['WIDGET-001']);
    expect(await quoteOnce(quotePath('BOLT-M8'), (r) => r.status === 404)).toMatchObject({
      code: 'no_price',
      sku: 'BOLT-M8',
    });

    // The line inserted again is a new line: priced again, nothing dead-lettered on the way.
    await erp.query(
      "INSERT INTO price_list_lines (price_list_id, sku, unit_price, valid_from) VALUES ('PL-EU', 'BOLT-M8', 0.30, '2026-01-01T00:00:00Z')",
    );
    await until<PriceList>(
      '/v1/pricing/price-lists/PL-EU',
      (l) => ruleOf(l, 'BOLT-M8')?.unitPrice === 30,
      'BOLT-M8 again',
    );
    expect(await quoteOnce(quotePath('BOLT-M8'), (r) => r.body.unitPrice === 30)).toMatchObject({ total: 300 });

    // A new start changes the line's key: Debezium sends the delete of the old line and the insert of the new one.
    await erp.query(
      "UPDATE price_list_lines SET valid_from = '2026-02-01T00:00:00Z' WHERE price_list_id = 'PL-EU' AND sku = 'BOLT-M8'",
    );
    const moved = await until<PriceList>(
      '/v1/pricing/price-lists/PL-EU',
      (l) => ruleOf(l, 'BOLT-M8')?.effectiveFrom === '2026-02-01T00:00:00.000Z',
      'the moved line',
    );
    expect(moved.rules.filter((r) => r.sku === 'BOLT-M8')).toEqual([expect.objectContaining({ unitPrice: 30 })]);
    const ingestor = platform.urls['cdc-ingestor']!;
    expect(await (await fetch(`${ingestor}/metrics`)).text()).not.toMatch(/outcome="dead_lettered"\} [1-9]/);
  });

  it('a row no command can be made of goes to the dead letters with the reason; the next change still arrives', async () => {
    await erp.query("INSERT INTO inventory_levels (sku, location, quantity) VALUES ('CABLE-5M', 'returns', -3)");
    await erp.query(
      "UPDATE inventory_levels SET quantity = 41, updated_at = now() WHERE sku = 'CABLE-5M' AND location = 'berlin'",
    );
    await until<Stock>('/v1/inventory/CABLE-5M', (s) => onHandAt(s, 'berlin') === 41, 'the change after a bad row');
    const letters = await platform.readTopic(ingestorDeadLettersTopic('cdc', platform.prefix), (m) => m.length >= 1);
    const letter = JSON.parse(letters[0]!.value!.toString()) as Record<string, unknown>;
    expect(letter).toMatchObject({
      ingestor: 'cdc',
      source: 'erp-db',
      tenant: 'default',
      code: 'unmappable_change',
      reason: expect.stringMatching(/onHand/),
      position: expect.stringMatching(/inventory_levels:CABLE-5M\/returns$/),
    });
    expect(JSON.parse(letter.original as string)).toMatchObject({ op: 'c', after: { quantity: -3 } });
    expect(onHandAt((await read<Stock>('/v1/inventory/CABLE-5M')).body, 'returns')).toBeUndefined();

    const ingestor = platform.urls['cdc-ingestor']!;
    expect(await (await fetch(`${ingestor}/ready`)).json()).toMatchObject({ status: 'up' });
    const metrics = await (await fetch(`${ingestor}/metrics`)).text();
    const labels = 'ingestor="cdc",source="erp-db",tenant="default"';
    expect(metrics).toContain(`verity_sync_changes_total{${labels},outcome="dead_lettered"} 1`);
    expect(metrics).toMatch(new RegExp(`verity_sync_changes_total\\{${labels},outcome="submitted"\\} \\d+`));
    expect(metrics).toMatch(new RegExp(`verity_sync_last_change_timestamp_seconds\\{${labels}\\} \\d`));
  });

  it('every change delivered again (the ingestor restarted from the first offset) appends nothing', async () => {
    const commandTopics = CONTEXTS.map((c) => contextTopics(c, platform.prefix).commands);
    const commandCount = async () =>
      (await Promise.all(commandTopics.map((t) => platform.endOffsets(t))))
        .flatMap((o) => Object.values(o))
        .reduce((sum, o) => sum + Number(o), 0);
    const topics = await cdcTopics();
    expect(topics.length).toBeGreaterThanOrEqual(3);

    await platform.stopService('cdc-ingestor');
    const eventsBefore = await eventEnds();
    const commandsBefore = await commandCount();
    for (const topic of topics) await platform.admin.resetOffsets({ groupId: ingestorGroup(), topic, earliest: true });
    await platform.startService('cdc-ingestor');

    await caughtUp();
    expect(await commandCount()).toBeGreaterThan(commandsBefore);
    expect(await eventEnds()).toEqual(eventsBefore);
  });

  it('an ERP change of a field another source owns is a conflict, not an update', async () => {
    const rule = await postCommand(platform, 'sources.SetAuthorityRule', { field: 'catalog.name', owners: ['api'] });
    expect(rule.status).toBe(200);
    await erp.query("UPDATE items SET name = 'Bolt M8 zinc', updated_at = now() WHERE sku = 'BOLT-M8'");

    type Conflict = {
      sku: string;
      field: string;
      rule: string;
      owners: string[];
      incoming: { value: unknown; sourceSystem: string; sourceTimestamp: string };
    };
    const open = await until<{ items: Conflict[] }>(
      '/v1/conflicts?status=open',
      (page) => page.items.some((c) => c.sku === 'BOLT-M8'),
      'the conflict',
    );
    expect(open.items.find((c) => c.sku === 'BOLT-M8')).toMatchObject({
      field: 'catalog.name',
      rule: 'not_owner',
      owners: ['api'],
      incoming: { value: 'Bolt M8 zinc', sourceSystem: 'erp-db' },
    });
    expect((await read<Product>('/v1/catalog/products/BOLT-M8')).body).toMatchObject({ name: 'Bolt M8' });

    // The source time is the transaction's commit time, as Debezium recorded it.
    const items = await platform.readTopic(`${platform.prefix}.cdc.erp.public.items`, (m) =>
      m.some((r) => r.value?.toString().includes('Bolt M8 zinc')),
    );
    const change = items.map((r) => r.value?.toString() ?? '').find((v) => v.includes('Bolt M8 zinc'))!;
    const committedAt = new Date((JSON.parse(change) as { source: { ts_ms: number } }).source.ts_ms).toISOString();
    expect(open.items.find((c) => c.sku === 'BOLT-M8')!.incoming.sourceTimestamp).toBe(committedAt);
  });

  it('a change replayed from the replication slot (the connector moved back to an earlier LSN) appends nothing', async () => {
    const offsetsOf = async () => {
      const res = await fetch(`${CONNECT_URL}/connectors/${connector}/offsets`);
      return (await res.json()) as { offsets: { partition: unknown; offset: Record<string, unknown> }[] };
    };
    // Connect flushes a source's offsets every 5 s: what it holds now is the position before the update.
    await new Promise((r) => setTimeout(r, 6_000));
    const before = await offsetsOf();
    // Two updates: decided again without their ids, the first would set 77 over 78, an event.
    await erp.query("UPDATE inventory_levels SET quantity = 77, updated_at = now() WHERE sku = 'WIDGET-001'");
    await erp.query("UPDATE inventory_levels SET quantity = 78, updated_at = now() WHERE sku = 'WIDGET-001'");
    await until<Stock>('/v1/inventory/WIDGET-001', (s) => onHandAt(s, 'main') === 78, 'the updates');
    await caughtUp();
    const levels = `${platform.prefix}.cdc.erp.public.inventory_levels`;
    const recordsBefore = Number((await platform.endOffsets(levels))[0]);
    const eventsBefore = await eventEnds();

    const connectApi = (method: string, path: string, body?: unknown) =>
      fetch(`${CONNECT_URL}/connectors/${connector}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await connectApi('PUT', '/stop')).status).toBe(204);
    await eventually(
      async () =>
        (await connect.statuses()).find((s) => s.name === connector)?.connector.state === 'STOPPED' ? true : undefined,
      30_000,
      'the connector stopped',
    );
    expect((await connectApi('PATCH', '/offsets', { offsets: before.offsets })).status).toBe(200);
    expect((await connectApi('PUT', '/resume')).status).toBe(202);

    // Debezium reads the slot again from the earlier LSN: both updates are on its topic a second time.
    const replayed = await eventually(
      async () => {
        const end = Number((await platform.endOffsets(levels))[0]);
        return end >= recordsBefore + 2 ? end : undefined;
      },
      60_000,
      'the replayed change',
    );
    const records = await platform.readTopic(levels, (m) => m.length >= replayed);
    const updates = records
      .map((r) =>
        r.value
          ? (JSON.parse(r.value.toString()) as { op: string; source: { lsn: number }; after: { quantity: number } })
          : undefined,
      )
      .filter((v) => v?.op === 'u' && v.after.quantity === 77);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(updates.map((u) => u!.source.lsn)).size).toBe(1);

    await caughtUp();
    expect(await eventEnds()).toEqual(eventsBefore);
    expect(onHandAt((await read<Stock>('/v1/inventory/WIDGET-001')).body, 'main')).toBe(78);
  });

  it("Debezium's topics, heartbeats included, are all under the run's prefix", async () => {
    const heartbeats = `${platform.prefix}.cdc-heartbeat.${platform.prefix}.cdc.erp`;
    const topics = await eventually(
      async () => {
        const all = await platform.admin.listTopics();
        return all.includes(heartbeats) ? all : undefined;
      },
      30_000,
      'a heartbeat',
    );
    expect(topics.filter((t) => t.includes(platform.prefix) && !t.startsWith(`${platform.prefix}.`))).toEqual([]);
  });

  it('a config Connect refuses names its error and registers nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cdc-e2e-'));
    try {
      const file = JSON.parse(await readFile(DEFAULT_CONNECTOR_FILE, 'utf8')) as { config: Record<string, string> };
      file.config['plugin.name'] = 'no-such-decoder';
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify(file));
      const name = `bad-${platform.prefix}`;
      const refused = cli([
        'apply',
        '--file',
        bad,
        '--name',
        name,
        '--database',
        database,
        '--slot',
        `bad_${platform.prefix}`,
      ]);
      await expect(refused).rejects.toThrow(ConnectorConfigInvalidError);
      await expect(refused).rejects.toThrow(/plugin\.name: .*pgoutput/);
      const missingDb = cli(['apply', '--name', name, '--database', `nodb_${platform.prefix}`]);
      await expect(missingDb).rejects.toThrow(new RegExp(`nodb_${platform.prefix}`));
      expect((await connect.statuses()).map((s) => s.name)).not.toContain(name);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
