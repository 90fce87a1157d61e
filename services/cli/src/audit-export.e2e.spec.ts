import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KafkaMessage } from 'kafkajs';
import { toHeaders } from '@verity/core';
import { AvroSerde, SchemaCatalog, contextTopics, readStream } from '@verity/events';
import { MANIFEST_NAME } from './audit-archive';
import { TAR_END, tarHeader, tarPadding } from './ustar';
import { readTar } from './testing/tar-files';
import { runCli } from './testing/run-cli';
import { receiveStockAs, startTestPlatform, type TestPlatform } from './testing/test-platform';

const STOCK_RECEIVED = 'verity.inventory.StockReceived';

interface Exported {
  record: 'event' | 'stream';
  key?: string;
  stream?: string;
  headers?: Record<string, string>;
  payload?: Record<string, unknown>;
  value?: string;
  lastHash?: string;
  lastVersion?: number;
  firstVersion?: number;
  anchorPrevHash?: string;
  verifiedFrom?: number;
  verified?: boolean;
}

const parseLines = (text: string): Exported[] =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Exported);

/** The archive with its entry `name` changed by `change`, the others as they were. */
async function rewriteEntry(archive: Buffer, name: string, change: (data: Buffer) => Buffer): Promise<Buffer> {
  const parts = (await readTar(archive)).flatMap((entry) => {
    const data = entry.name === name ? change(entry.data) : entry.data;
    return [tarHeader(entry.name, data.length, 0), data, tarPadding(data.length)];
  });
  return Buffer.concat([...parts, TAR_END]);
}

/** The archive with line `index` of its inventory file changed by `change` (the manifest left as it was). */
function tamperArchive(archive: Buffer, index: number, change: (line: string) => string): Promise<Buffer> {
  return rewriteEntry(archive, 'events/inventory.ndjson.gz', (data) => {
    const lines = gunzipSync(data).toString().split('\n');
    lines[index] = change(lines[index]!);
    return gzipSync(lines.join('\n'));
  });
}

describe('verity audit export and verify-archive', () => {
  let platform: TestPlatform;
  let topic: string;
  let dir: string;
  let records: KafkaMessage[];

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    topic = contextTopics('inventory', platform.prefix).events;
    dir = await mkdtemp(join(tmpdir(), 'verity-export-'));
    for (const [tenant, sku, quantity] of [
      ['acme', 'SKU-E1', 1],
      ['globex', 'SKU-E1', 2],
      ['acme', 'SKU-E2', 3],
      ['acme', 'SKU-E1', 4],
      ['acme', 'SKU-E1', 5],
      ['acme', 'SKU-E2', 6],
    ] as const) {
      expect(await receiveStockAs(platform, { tenant, subject: 'auditor-test' }, sku, quantity)).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    records = (await platform.readTopic(topic, (m) => m.length >= 6)).sort(
      (a, b) => Number(a.timestamp) - Number(b.timestamp),
    );
  });
  afterAll(async () => {
    await platform?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const verity = (...args: string[]) => runCli(platform.env, ...args);

  it("exports every event of a tenant with its chain fields and each stream's last verified hash", async () => {
    const run = await verity('audit', 'export', '--tenant', 'acme', '--context', 'inventory');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /exported 5 events of 2 streams in [\d.]+ s \(\d+ events\/s\), 6 records read; every chain verified\n/,
    );
    const lines = parseLines(run.stdout);
    const events = lines.filter((l) => l.record === 'event');
    expect(events.map((e) => [e.key, e.headers!.ce_streamversion, e.payload!.quantity]).sort()).toEqual(
      [
        ['acme/SKU-E1', '1', 1],
        ['acme/SKU-E1', '2', 4],
        ['acme/SKU-E1', '3', 5],
        ['acme/SKU-E2', '1', 3],
        ['acme/SKU-E2', '2', 6],
      ].sort(),
    );
    for (const e of events) {
      expect(e.headers).toMatchObject({ ce_tenant: 'acme', ce_actor: 'auditor-test', ce_type: STOCK_RECEIVED });
      expect(e.headers!.ce_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const e1 = await readStream({ kafka: platform.kafka, topic, streamId: 'acme/SKU-E1' });
    expect(lines.filter((l) => l.record === 'stream').find((s) => s.stream === 'acme/SKU-E1')).toMatchObject({
      lastVersion: 3,
      lastHash: e1[2]!.metadata.hash,
      verified: true,
      events: 3,
    });
  });

  it('writes CSV with a column per header, then a row per stream', async () => {
    const out = join(dir, 'acme.csv');
    const run = await verity('audit', 'export', '--tenant', 'acme', '--format', 'csv', '--out', out);
    expect(run.code).toBe(0);
    const rows = (await readFile(out, 'utf8')).trimEnd().split('\r\n');
    expect(rows[0]).toMatch(
      /^record,context,topic,partition,offset,timestamp,key,ce_specversion,.*ce_prevhash,ce_hash,.*payload,value,/,
    );
    expect(rows.filter((r) => r.startsWith('event,inventory,'))).toHaveLength(5);
    expect(rows.filter((r) => r.startsWith('stream,inventory,'))).toHaveLength(2);
  });

  it('archives a time range that verifies offline; a tampered line is named and exits non-zero', async () => {
    const archive = join(dir, 'acme-range.tar');
    // From the 4th record on: acme/SKU-E1 versions 2 and 3, acme/SKU-E2 version 2.
    const from = new Date(Number(records[3]!.timestamp)).toISOString();
    const run = await verity('audit', 'export', '--tenant', 'acme', '--from', from, '--archive', archive);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`archive ${archive}: 3 events in`);

    const offline = { ...platform.env, VERITY_KAFKA_BROKERS: '127.0.0.1:1' };
    const ok = await runCli(offline, 'audit', 'verify-archive', archive);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`^OK ${archive}: tenant acme, 3 events, 2 streams, \\d+ files; sha256, chains and counts verified`),
    );
    expect(ok.stdout).toContain('inventory acme/SKU-E1: versions 2-3');

    const forged = join(dir, 'acme-forged.tar');
    await writeFile(
      forged,
      await tamperArchive(await readFile(archive), 0, (line) =>
        line.replace(/"value":"[^"]+"/, `"value":"${Buffer.from('x').toString('base64')}"`),
      ),
    );
    const bad = await runCli(offline, 'audit', 'verify-archive', forged);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`ArchiveVerificationError [archive_invalid]: ${forged}:`);
    expect(bad.stdout).toContain('PROBLEM events/inventory.ndjson.gz: sha256 differs from the manifest');
    expect(bad.stdout).toMatch(
      /PROBLEM events\/inventory\.ndjson\.gz line 1: acme\/SKU-E\d chain broken, hash_mismatch/,
    );
    const manifest = (await readTar(await readFile(archive))).find((e) => e.name === MANIFEST_NAME)!;
    expect(JSON.parse(manifest.data.toString())).toMatchObject({ tenant: 'acme', events: 3 });
  });

  it('bad arguments are named usage errors and write nothing', async () => {
    const archive = join(dir, 'never.tar');
    for (const [args, message] of [
      [['--context', 'inventory'], 'audit export needs --tenant <t>'],
      [['--tenant', 'acme', '--format', 'xml'], '--format xml: one of ndjson, csv'],
      [['--tenant', 'acme', '--from', '3'], 'offsets are per topic: --from/--to as offsets need --context'],
      [['--tenant', 'acme', '--archive', archive, '--format', 'csv'], '--archive holds NDJSON'],
      [['--tenant', 'acme', '--archive', archive, '--out', archive], '--archive and --out: give one'],
      [['--tenant', 'Acme!', '--archive', archive], '--tenant Acme!: lowercase'],
      [
        ['--tenant', 'acme', '--archive', archive, '--from', '2026-12-02T00:00:00Z', '--to', '2026-12-01T00:00:00Z'],
        '--to is before --from',
      ],
      [['--tenant', 'acme', '--archive', archive, '--from', 'last tuesday'], '--from last tuesday: an offset'],
      [['--tenant', 'acme', '--archive', archive, '--to', '2026-02-30T25:00Z'], '--to 2026-02-30T25:00Z: an offset'],
    ] as const) {
      const run = await verity('audit', 'export', ...args);
      expect([run.code, run.stderr]).toEqual([2, expect.stringContaining(`UsageError [usage]: ${message}`)]);
    }
    expect(existsSync(archive)).toBe(false);
    const none = await verity('audit', 'verify-archive');
    expect(none.stderr).toContain('audit verify-archive needs exactly one file, got 0');
  });

  it('reports a forged event in the log: the export is written, the stream marked broken, exit 1', async () => {
    const [, second] = await readStream({ kafka: platform.kafka, topic, streamId: 'acme/SKU-E1' });
    const serde = new AvroSerde(platform.registry, SchemaCatalog.load());
    await serde.register(topic, [STOCK_RECEIVED]);
    const value = serde.encode(topic, STOCK_RECEIVED, { sku: 'SKU-E1', location: 'berlin', quantity: 4000 }).value;
    const producer = platform.kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: 'acme/SKU-E1', value, headers: toHeaders(second!.metadata), partition: second!.partition }],
    });
    await producer.disconnect();

    const archive = join(dir, 'acme-broken.tar');
    const run = await verity('audit', 'export', '--tenant', 'acme', '--context', 'inventory', '--archive', archive);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('1 chains BROKEN');
    expect(run.stderr).toMatch(/BROKEN inventory acme\/SKU-E1: hash_mismatch at version 2, offset \d+/);
    const check = await verity('audit', 'verify-archive', archive);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      'PROBLEM inventory acme/SKU-E1: chain broken when exported (hash_mismatch at version 2)',
    );
  });

  describe('a range starting mid-log', () => {
    let from: string;
    let archive: string;

    beforeAll(async () => {
      // A second window, apart in time from the first: acme/SKU-E2 goes on at version 3, acme/SKU-W
      // starts, and globex writes an event that is read but not exported.
      await new Promise((r) => setTimeout(r, 50));
      from = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 50));
      for (const [tenant, sku, quantity] of [
        ['acme', 'SKU-E2', 7],
        ['globex', 'SKU-E1', 8],
        ['acme', 'SKU-W', 9],
      ] as const) {
        expect(await receiveStockAs(platform, { tenant, subject: 'auditor-test' }, sku, quantity)).toBe(200);
      }
      archive = join(dir, 'acme-window.tar');
    });

    it('exports only the events from --from on, reading only the records in range', async () => {
      const run = await verity('audit', 'export', '--tenant', 'acme', '--context', 'inventory', '--from', from);
      expect(run.code).toBe(0);
      // 3 records in range (globex's too), not the 10 the topic holds.
      expect(run.stderr).toMatch(
        /exported 2 events of 2 streams in [\d.]+ s \(\d+ events\/s\), 3 records read; every chain verified, 1 from their first event in range, not from version 1/,
      );
      expect(run.stderr).toMatch(/offsets \(100\.0%\)/);
      const lines = parseLines(run.stdout);
      const events = lines.filter((l) => l.record === 'event');
      expect(events.map((e) => [e.key, e.headers!.ce_streamversion, e.payload!.quantity]).sort()).toEqual([
        ['acme/SKU-E2', '3', 7],
        ['acme/SKU-W', '1', 9],
      ]);
      const e2 = await readStream({ kafka: platform.kafka, topic, streamId: 'acme/SKU-E2' });
      const streams = lines.filter((l) => l.record === 'stream');
      expect(streams.find((l) => l.stream === 'acme/SKU-E2')).toMatchObject({
        firstVersion: 3,
        verifiedFrom: 3,
        anchorPrevHash: e2[1]!.metadata.hash,
        lastHash: e2[2]!.metadata.hash,
        verified: true,
      });
      expect(streams.find((l) => l.stream === 'acme/SKU-W')).toMatchObject({ verifiedFrom: 1, verified: true });
    });

    it('archives the range: it verifies offline, says where each chain is verified from, and tampering fails', async () => {
      const run = await verity('audit', 'export', '--tenant', 'acme', '--from', from, '--archive', archive);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`archive ${archive}: 2 events in`);
      const offline = { ...platform.env, VERITY_KAFKA_BROKERS: '127.0.0.1:1' };
      const ok = await runCli(offline, 'audit', 'verify-archive', archive);
      expect(ok.code).toBe(0);
      const e2 = await readStream({ kafka: platform.kafka, topic, streamId: 'acme/SKU-E2' });
      expect(ok.stdout).toContain(
        `inventory acme/SKU-E2: versions 3-3, chain verified from version 3, whose prev hash ${e2[1]!.metadata.hash} precedes the export`,
      );
      expect(ok.stdout).toMatch(/inventory acme\/SKU-W: versions 1-1, chain verified from version 1,/);

      const bytes = await readFile(archive);
      // The first exported event of a stream re-pointed at another hash: its own hash no longer holds.
      const repointed = join(dir, 'acme-window-repointed.tar');
      await writeFile(
        repointed,
        await tamperArchive(bytes, 0, (line) =>
          line.replace(/"ce_prevhash":"[^"]*"/, `"ce_prevhash":"${'0'.repeat(64)}"`),
        ),
      );
      const bad = await runCli(offline, 'audit', 'verify-archive', repointed);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(
        /PROBLEM events\/inventory\.ndjson\.gz line 1: acme\/SKU-\w+ chain broken, hash_mismatch/,
      );
      // A manifest claiming a chain verified from the genesis of a stream exported from version 3.
      const overclaimed = join(dir, 'acme-window-overclaimed.tar');
      await writeFile(
        overclaimed,
        await rewriteEntry(bytes, MANIFEST_NAME, (data) => {
          const manifest = JSON.parse(data.toString()) as { streams: { stream: string; verifiedFrom: number }[] };
          for (const s of manifest.streams) s.verifiedFrom = 1;
          return Buffer.from(JSON.stringify(manifest));
        }),
      );
      const claimed = await runCli(offline, 'audit', 'verify-archive', overclaimed);
      expect(claimed.code).toBe(1);
      expect(claimed.stdout).toContain(
        'PROBLEM inventory acme/SKU-E2: verified from version 1, the manifest says, but its events start at version 3',
      );
    });
  });
});
