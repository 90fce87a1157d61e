import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { contextTopics, readStream } from '@verity/events';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const STREAM = 'acme/SKU-ACTORS';

/** Runs the built CLI as a user would, with the suite's topic prefix. */
function verity(platform: TestPlatform, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: platform.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const headerOf = (message: KafkaMessage, name: string): string | undefined => message.headers?.[name]?.toString();

describe('the actor on events is the credential, X-Actor only for act-as, and the audit trail shows both', () => {
  let platform: TestPlatform;
  let topic: string;
  /** The stream's records as the events topic holds them, in order. */
  let records: KafkaMessage[];

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    topic = contextTopics('inventory', platform.prefix).events;
    const receive = async (quantity: number, headers: Record<string, string>) => {
      const reply = await postCommand(
        platform,
        'inventory.ReceiveStock',
        { sku: 'SKU-ACTORS', location: 'berlin', quantity },
        { ...headers, 'X-Tenant-Id': 'acme' },
      );
      expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 200 });
    };
    const alice = await platform.credential({ tenant: 'acme', roles: ['writer'], subject: 'alice' });
    const connector = await platform.credential({ tenant: 'acme', roles: ['writer', 'act-as'], subject: 'erp-sync' });
    // A writer without act-as naming someone else: the header is ignored, alice is recorded.
    await receive(1, { ...alice, 'X-Actor': 'mallory' });
    // A connector acting for an ERP user: both are recorded.
    await receive(2, { ...connector, 'X-Actor': 'erp:jdoe' });
    // The connector acting for itself.
    await receive(3, connector);
    records = (
      await platform.readTopic(topic, (messages) => messages.filter((m) => m.key?.toString() === STREAM).length >= 3)
    ).filter((m) => m.key?.toString() === STREAM);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it("records ce_actor as the credential's subject, and ce_onbehalfof only for an act-as credential's X-Actor", () => {
    expect(records.map((m) => ({ actor: headerOf(m, 'ce_actor'), onBehalfOf: headerOf(m, 'ce_onbehalfof') }))).toEqual([
      { actor: 'alice', onBehalfOf: undefined },
      { actor: 'erp-sync', onBehalfOf: 'erp:jdoe' },
      { actor: 'erp-sync', onBehalfOf: undefined },
    ]);
  });

  it('verity audit history shows who acted and for whom; verify finds the chain intact', async () => {
    const table = await verity(platform, 'audit', 'history', STREAM);
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^VERSION\s+TIME\s+TYPE\s+ACTOR\s+ON BEHALF OF\s+SOURCE\s+PAYLOAD$/),
      expect.stringMatching(/^1\s+\S+Z\s+StockReceived\s+alice\s+-\s+api /),
      expect.stringMatching(/^2\s+\S+Z\s+StockReceived\s+erp-sync\s+erp:jdoe\s+api /),
      expect.stringMatching(/^3\s+\S+Z\s+StockReceived\s+erp-sync\s+-\s+api /),
    ]);

    const json = await verity(platform, 'audit', 'history', STREAM, '--json');
    expect(json.code).toBe(0);
    const rows = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => [r.version, r.actor, r.onBehalfOf])).toEqual([
      [1, 'alice', undefined],
      [2, 'erp-sync', 'erp:jdoe'],
      [3, 'erp-sync', undefined],
    ]);

    const verified = await verity(platform, 'audit', 'verify', STREAM);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      new RegExp(
        `^OK ${STREAM}: 3 events, chain intact .*\\nlast version 3, hash ${headerOf(records[2]!, 'ce_hash')}\\n$`,
      ),
    );
  });

  it('a copy of the event naming another person for the connector breaks the chain', async () => {
    const original = records[1]!;
    // Where the processor put the stream: the audit reads that partition only.
    const { partition } = (await readStream({ kafka: platform.kafka, topic, streamId: STREAM }))[0]!;
    const producer = platform.kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        {
          key: original.key,
          value: original.value,
          partition,
          headers: { ...original.headers, ce_onbehalfof: 'erp:mallory' },
        },
      ],
    });
    await producer.disconnect();

    const verified = await verity(platform, 'audit', 'verify', STREAM);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(`BROKEN ${STREAM}: hash_mismatch at version 2`);
    expect(verified.stdout).toContain(`actual   ${headerOf(original, 'ce_hash')}`);
  });
});
