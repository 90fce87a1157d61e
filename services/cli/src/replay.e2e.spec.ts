import type { KafkaMessage } from 'kafkajs';
import { contextTopics, streamPartition } from '@verity/events';
import { headerStrings } from './event-line';
import { runCli } from './testing/run-cli';
import { receiveStockAs, startTestPlatform, type TestPlatform } from './testing/test-platform';

/** A record as a downstream team compares it: key, value bytes, headers, timestamp. */
const copyOf = (m: KafkaMessage) => ({
  key: m.key?.toString(),
  value: m.value?.toString('base64'),
  headers: headerStrings(m.headers),
  timestamp: m.timestamp,
});

describe('verity replay of an events range', () => {
  let platform: TestPlatform;
  let source: string;
  let all: KafkaMessage[];

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    source = contextTopics('inventory', platform.prefix).events;
    for (const [tenant, sku, quantity] of [
      ['acme', 'SKU-R1', 1],
      ['acme', 'SKU-R2', 2],
      ['globex', 'SKU-R1', 3],
      ['acme', 'SKU-R1', 4],
      ['globex', 'SKU-R3', 5],
      ['acme', 'SKU-R2', 6],
    ] as const) {
      expect(await receiveStockAs(platform, { tenant, subject: 'alice' }, sku, quantity)).toBe(200);
      // Distinct record timestamps, so a time between two events exists.
      await new Promise((r) => setTimeout(r, 20));
    }
    all = (await platform.readTopic(source, (m) => m.length >= 6)).sort(
      (a, b) => Number(a.timestamp) - Number(b.timestamp),
    );
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const replay = (...args: string[]) => runCli(platform.env, 'replay', '--context', 'inventory', ...args);
  const endOf = async (topic: string): Promise<string> =>
    String(Math.max(...Object.values(await platform.endOffsets(topic)).map(Number)));

  it('copies a range to a topic with key, value bytes, headers and timestamps unchanged', async () => {
    const target = `${platform.prefix}.downstream-copy`;
    const run = await replay('--from', '0', '--to', await endOf(source), '--target', `topic:${target}`);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stderr).toMatch(/replayed 6 records in [\d.]+ s \(\d+ records\/s\)/);
    expect(run.stderr).toMatch(/offsets \(100\.0%\)/);
    const copied = await platform.readTopic(target, (m) => m.length >= 6);
    // Per stream order is the contract; across streams the partitions interleave.
    const byKey = (ms: KafkaMessage[]) =>
      ms.map(copyOf).sort((a, b) => a.key!.localeCompare(b.key!) || Number(a.timestamp) - Number(b.timestamp));
    expect(byKey(copied)).toEqual(byKey(all));
    expect(copied[0]!.headers).toHaveProperty('ce_hash');
  });

  it('replays a time range, one tenant, to another topic', async () => {
    const target = `${platform.prefix}.downstream-time`;
    const from = new Date(Number(all[1]!.timestamp)).toISOString();
    const to = new Date(Number(all[4]!.timestamp)).toISOString();
    const run = await replay('--from', from, '--to', to, '--tenant', 'acme', '--target', `topic:${target}`);
    expect(run).toMatchObject({ code: 0 });
    // Records 1..3 in time; of them acme's: SKU-R2 (2) and SKU-R1 (4).
    const expected = all.slice(1, 4).filter((m) => m.key!.toString().startsWith('acme/'));
    expect(expected).toHaveLength(2);
    const copied = await platform.readTopic(target, (m) => m.length >= 2);
    expect(copied.map(copyOf).sort((a, b) => a.key!.localeCompare(b.key!))).toEqual(
      expected.map(copyOf).sort((a, b) => a.key!.localeCompare(b.key!)),
    );
  });

  it('prints one stream as NDJSON with the decoded payload and the CloudEvents headers', async () => {
    const run = await replay(
      '--from',
      '0',
      '--to',
      await endOf(source),
      '--stream',
      'acme/SKU-R1',
      '--target',
      'stdout',
    );
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; headers: Record<string, string>; payload: unknown; value?: string });
    expect(
      lines.map((l) => [l.key, l.headers.ce_streamversion, l.headers.ce_type, l.headers.ce_tenant, l.payload]),
    ).toEqual([
      [
        'acme/SKU-R1',
        '1',
        'verity.inventory.StockReceived',
        'acme',
        { sku: 'SKU-R1', location: 'berlin', quantity: 1 },
      ],
      [
        'acme/SKU-R1',
        '2',
        'verity.inventory.StockReceived',
        'acme',
        { sku: 'SKU-R1', location: 'berlin', quantity: 4 },
      ],
    ]);
    expect(lines[1]!.headers.ce_prevhash).toBe(lines[0]!.headers.ce_hash);
    expect(lines[0]).not.toHaveProperty('value');
    // Only the stream's partition is read: its records, not the topic's six.
    const partition = streamPartition('acme/SKU-R1', 3);
    const onPartition = all.filter((m) => streamPartition(m.key!.toString(), 3) === partition).length;
    expect(onPartition).toBeLessThan(all.length);
    expect(run.stderr).toContain('(1 partitions)');
    expect(run.stderr).toMatch(
      new RegExp(`replayed 2 records in [\\d.]+ s \\(\\d+ records/s\\), ${onPartition} records read`),
    );
  });

  it("refuses Verity's own topics and bad arguments with named errors, writing nothing", async () => {
    const before = await platform.endOffsets(source);
    const own = await replay('--from', '0', '--to', '10', '--target', `topic:${source}`);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain(`ProtectedTopicError [protected_topic]: ${source} is one of Verity's own topics`);
    const commands = await replay('--from', '0', '--to', '10', '--target', 'topic:verity.pricing.commands');
    expect(commands.stderr).toContain('ProtectedTopicError [protected_topic]');
    expect(await platform.endOffsets(source)).toEqual(before);

    const noTarget = await replay('--from', '0', '--to', '10');
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain(
      'UsageError [usage]: replay needs --target topic:<name>, --target webhook:<subscription id> or --target stdout',
    );
    const badTime = await replay('--from', 'yesterday', '--to', '10', '--target', 'stdout');
    expect(badTime.stderr).toContain('--from yesterday: an offset (0, 1, ...) or an ISO 8601 time');
    const backwards = await replay('--from', '9', '--to', '3', '--target', 'stdout');
    expect(backwards.stderr).toContain('--to is before --from');
    const webhook = await replay('--from', '0', '--to', '3', '--target', 'webhook:abc');
    expect(webhook.code).toBe(2);
    expect(
      (await platform.admin.listTopics()).filter((t) => t.startsWith(`${platform.prefix}.downstream`)).sort(),
    ).toEqual([`${platform.prefix}.downstream-copy`, `${platform.prefix}.downstream-time`]);
  });

  it('replays --from a later time window: only its records come out, and only they are read', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const from = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    for (const [tenant, sku, quantity] of [
      // Partitions 2 and 1 of 3.
      ['acme', 'SKU-R1', 7],
      ['acme', 'SKU-R2', 8],
    ] as const) {
      expect(await receiveStockAs(platform, { tenant, subject: 'alice' }, sku, quantity)).toBe(200);
    }
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const run = await replay('--from', from, '--to', later, '--target', 'stdout');
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; payload: { quantity: number } });
    expect(lines.map((l) => [l.key, l.payload.quantity]).sort()).toEqual([
      ['acme/SKU-R1', 7],
      ['acme/SKU-R2', 8],
    ]);
    // The first window's six records are not read.
    expect(run.stderr).toMatch(/replayed 2 records in [\d.]+ s \(\d+ records\/s\), 2 records read/);
    const one = await replay('--from', from, '--to', later, '--stream', 'acme/SKU-R1', '--target', 'stdout');
    expect(one.stderr).toContain('(1 partitions)');
    expect(one.stderr).toMatch(/replayed 1 records in [\d.]+ s \(\d+ records\/s\), 1 records read/);
  });
});
