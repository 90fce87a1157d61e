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

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'gateway', 'query-api', 'cdc-ingestor'], {
      env: { VERITY_CDC_TOPIC_REFRESH_MS: '500' },
    });
    adminUrl = parseEnv(readModelEnvSchema, platform.env).VERITY_DATABASE_URL;
    database = `erp_${platform.prefix}`;
    connector = `erp-${platform.prefix}`;
    slot = `cdc_${platform.prefix}`;
  });

  afterAll(async () => {
    await erp?.end();
    await connect.remove(connector).catch(() => undefined);
    try {
      await dropDemoErp(adminUrl, database, slot);
    } finally {
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

    const apply = ['apply', '--database', database, '--name', connector, '--slot', slot, '--publication', slot];
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
    const eventTopics = ['catalog', 'inventory', 'pricing'].map((c) => contextTopics(c, platform.prefix).events);
    const commandTopics = ['catalog', 'inventory', 'pricing'].map((c) => contextTopics(c, platform.prefix).commands);
    const ends = async (topics: string[]) => Promise.all(topics.map((t) => platform.endOffsets(t)));
    const total = (offsets: Record<number, string>[]) =>
      offsets.flatMap((o) => Object.values(o)).reduce((sum, o) => sum + Number(o), 0);
    const cdcTopics = (await platform.admin.listTopics()).filter((t) => t.startsWith(`${platform.prefix}.cdc.`));
    expect(cdcTopics.length).toBeGreaterThanOrEqual(3);
    // The ingestor's default group (VERITY_CDC_GROUP_ID unset).
    const groupId = `${platform.prefix}.cdc-ingestor`;

    await platform.stopService('cdc-ingestor');
    const eventsBefore = await ends(eventTopics);
    const commandsBefore = total(await ends(commandTopics));
    for (const topic of cdcTopics) await platform.admin.resetOffsets({ groupId, topic, earliest: true });
    await platform.startService('cdc-ingestor');

    // Caught up: the ingestor committed every Debezium record, and the processors every command it appended again.
    await eventually(
      async () => {
        const committed = await platform.admin.fetchOffsets({ groupId, topics: cdcTopics });
        for (const { topic, partitions } of committed) {
          const end = await platform.endOffsets(topic);
          if (partitions.some((p) => p.offset !== end[p.partition])) return undefined;
        }
        return true;
      },
      60_000,
      'the ingestor read every record again',
    );
    expect(total(await ends(commandTopics))).toBeGreaterThan(commandsBefore);
    await eventually(
      async () => {
        for (const context of ['catalog', 'inventory', 'pricing']) {
          const topic = contextTopics(context, platform.prefix).commands;
          const [committed] = await platform.admin.fetchOffsets({
            groupId: processorGroupId(context, platform.prefix),
            topics: [topic],
          });
          const end = await platform.endOffsets(topic);
          // A partition no command ever reached has no committed offset (-1) and ends at 0.
          if (committed!.partitions.some((p) => Math.max(0, Number(p.offset)) !== Number(end[p.partition])))
            return undefined;
        }
        return true;
      },
      60_000,
      'the processors decided every command again',
    );
    expect(await ends(eventTopics)).toEqual(eventsBefore);
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
      incoming: { value: unknown; sourceSystem: string };
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
