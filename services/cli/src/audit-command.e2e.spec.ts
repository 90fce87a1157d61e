import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { toHeaders } from '@verity/core';
import { AvroSerde, SchemaCatalog, contextTopics, readStream } from '@verity/events';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const STOCK_RECEIVED = 'verity.inventory.StockReceived';

/** Runs the built CLI as a user would, with the suite's topic prefix. */
function verity(platform: TestPlatform, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: platform.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('verity audit on events appended through the gateway and processor', () => {
  let platform: TestPlatform;
  let topic: string;

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    topic = contextTopics('inventory', platform.prefix).events;
    for (const quantity of [5, 7, 9]) {
      const res = await postCommand(
        platform,
        'inventory.ReceiveStock',
        { sku: 'SKU-AUDIT', location: 'berlin', quantity },
        {
          ...(await platform.credential({ tenant: 'acme', roles: ['writer'], subject: 'alice' })),
          'X-Tenant-Id': 'acme',
          'X-Source-System': 'netsuite',
        },
      );
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('verify prints OK with the count and last hash, exit 0', async () => {
    const events = await readStream({ kafka: platform.kafka, topic, streamId: 'acme/SKU-AUDIT' });
    const { code, stdout } = await verity(platform, 'audit', 'verify', 'acme/SKU-AUDIT');
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: `OK acme/SKU-AUDIT: 3 events, chain intact (${topic} partition ${events[0]!.partition})\nlast version 3, hash ${events[2]!.metadata.hash}\n`,
    });
  });

  it('history prints a table, or JSON lines with --json', async () => {
    const table = await verity(platform, 'audit', 'history', 'acme/SKU-AUDIT');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+TIME\s+TYPE\s+ACTOR\s+ON BEHALF OF\s+SOURCE\s+PAYLOAD$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^1\s+\S+Z\s+StockReceived\s+alice\s+-\s+netsuite \S+\s+\{"sku":"SKU-AUDIT","location":"berlin","quantity":5\}$/,
      ),
      expect.stringMatching(/^2 .*"quantity":7\}$/),
      expect.stringMatching(/^3 .*"quantity":9\}$/),
    ]);

    const json = await verity(platform, 'audit', 'history', 'acme/SKU-AUDIT', '--json', '--context', 'inventory');
    expect(json.code).toBe(0);
    const rows = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.version, r.type, r.actor, r.sourceSystem, r.payload])).toEqual([
      [1, STOCK_RECEIVED, 'alice', 'netsuite', { sku: 'SKU-AUDIT', location: 'berlin', quantity: 5 }],
      [2, STOCK_RECEIVED, 'alice', 'netsuite', { sku: 'SKU-AUDIT', location: 'berlin', quantity: 7 }],
      [3, STOCK_RECEIVED, 'alice', 'netsuite', { sku: 'SKU-AUDIT', location: 'berlin', quantity: 9 }],
    ]);
  });

  it('verify names the first broken link of a stream with a forged event, exit 1', async () => {
    const [, second] = await readStream({ kafka: platform.kafka, topic, streamId: 'acme/SKU-AUDIT' });
    const serde = new AvroSerde(platform.registry, SchemaCatalog.load());
    await serde.register(topic, [STOCK_RECEIVED]);
    const forged = serde.encode(topic, STOCK_RECEIVED, { sku: 'SKU-AUDIT', location: 'berlin', quantity: 7000 }).value;
    const producer = platform.kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic,
      messages: [
        { key: 'acme/SKU-AUDIT', value: forged, headers: toHeaders(second!.metadata), partition: second!.partition },
      ],
    });
    await producer.disconnect();

    const { code, stdout } = await verity(platform, 'audit', 'verify', 'acme/SKU-AUDIT');
    expect(code).toBe(1);
    expect(stdout).toContain(
      `BROKEN acme/SKU-AUDIT: hash_mismatch at version 2, offset ${sent!.baseOffset} (event 4 of 4, ${topic} partition ${second!.partition})`,
    );
    expect(stdout).toContain(`actual   ${second!.metadata.hash}`);
  });

  it('an unknown stream exits 1, bad arguments exit 2 with the usage', async () => {
    const unknown = await verity(platform, 'audit', 'verify', 'acme/NOBODY');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `UnknownStreamError [unknown_stream]: no events of stream acme/NOBODY in ${topic}`,
    );
    const bad = await verity(platform, 'audit', 'verify', 'NOBODY');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not <tenant>/<aggregate id>');
    expect(bad.stderr).toContain('verity audit verify|history');
  });
});
