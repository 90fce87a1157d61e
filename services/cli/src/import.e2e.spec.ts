import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { readToEnd } from './testing/read-to-end';
import { eventually, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would: in `cwd` (where `.verity/imports` is kept), with the suite's topic prefix. */
function verity(platform: TestPlatform, cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: platform.env, cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const fileIdOf = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
    .slice(0, 16);

const reportOf = async (path: string): Promise<Record<string, unknown>[]> =>
  (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('verity import', () => {
  let platform: TestPlatform;
  let dir: string;
  const topics = () => contextTopics('inventory', platform.prefix);

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'query-api', 'gateway']);
    dir = await mkdtemp(join(tmpdir(), 'verity-import-e2e-'));
  });
  afterAll(async () => {
    await platform?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The stock of a SKU in the query-api once `ready` says it is what the test waits for. */
  async function stockOf(tenant: string, sku: string, ready: (body: Record<string, unknown>) => boolean) {
    return eventually(
      async () => {
        const res = await fetch(`${platform.urls['query-api']}/v1/inventory/${sku}`, {
          headers: await withCredential(platform, { 'X-Tenant-Id': tenant }),
        });
        const body = res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
        return body && ready(body) ? body : undefined;
      },
      20_000,
      `${sku} in the read model`,
    );
  }

  /** Every event the commands of one imported file appended: command id → events. */
  async function eventsOfFile(fileId: string): Promise<Map<string, { streamId: string; version: number }[]>> {
    const records = await readToEnd(platform.kafka, platform.admin, topics().events, platform.prefix);
    const byCommand = new Map<string, { streamId: string; version: number }[]>();
    for (const { message } of records) {
      const metadata = fromHeaders(message.headers);
      if (!metadata.causationId.startsWith(`import:${fileId}:`)) continue;
      const list = byCommand.get(metadata.causationId) ?? [];
      list.push({ streamId: metadata.subject, version: metadata.streamVersion });
      byCommand.set(metadata.causationId, list);
    }
    return byCommand;
  }

  it('imports the good rows of a CSV and an NDJSON file, reports the bad ones with their problem; a re-run appends nothing', async () => {
    const csv = join(dir, 'stock.csv');
    await writeFile(csv, 'sku,location,quantity\nIMP-A,main,5\nIMP-B,main,7\nIMP-A,main,3\nIMP-C,main,abc\nIMP-D,,4\n');
    const first = await verity(
      platform,
      dir,
      'import',
      'stock.csv',
      '--type',
      'inventory.ReceiveStock',
      '--tenant',
      'acme',
    );
    expect(first).toMatchObject({ code: 3 });
    expect(first.stdout).toContain('stock.csv: 5 rows: 3 imported, 0 already imported, 0 rejected, 2 invalid\n');
    expect(await reportOf(join(dir, 'stock.csv.rejected.ndjson'))).toEqual([
      {
        row: 4,
        outcome: 'invalid',
        fields: { sku: 'IMP-C', location: 'main', quantity: 'abc' },
        problem: expect.objectContaining({
          code: 'unmappable_change',
          fields: [expect.objectContaining({ path: 'quantity' })],
        }) as unknown,
      },
      {
        row: 5,
        outcome: 'invalid',
        fields: { sku: 'IMP-D', location: '', quantity: '4' },
        problem: expect.objectContaining({ fields: [expect.objectContaining({ path: 'location' })] }) as unknown,
      },
    ]);
    await stockOf('acme', 'IMP-A', (b) => (b.totals as { onHand: number }).onHand === 8);
    await stockOf('acme', 'IMP-B', (b) => (b.totals as { onHand: number }).onHand === 7);

    const ndjson = join(dir, 'transfers.ndjson');
    await writeFile(
      ndjson,
      [
        '{"sku":"IMP-A","from":"main","to":"north","quantity":2}',
        '{"sku":"IMP-B","from":"main","to":"main","quantity":1}',
        '{"sku":"IMP-B","from":"main","to":"north","quantity":100}',
        'not json',
        '',
      ].join('\n'),
    );
    const transfers = await verity(
      platform,
      dir,
      'import',
      'transfers.ndjson',
      '--type',
      'inventory.TransferStock',
      '--tenant',
      'acme',
      '--report',
      'refused.ndjson',
    );
    expect(transfers).toMatchObject({ code: 3 });
    expect(transfers.stdout).toContain('4 rows: 1 imported, 0 already imported, 2 rejected, 1 invalid\n');
    const transferFile = await fileIdOf(ndjson);
    expect(await reportOf(join(dir, 'refused.ndjson'))).toMatchObject([
      { row: 2, outcome: 'rejected', commandId: `import:${transferFile}:2`, problem: { code: 'same_location' } },
      { row: 3, outcome: 'rejected', commandId: `import:${transferFile}:3`, problem: { code: 'insufficient_stock' } },
      { row: 4, outcome: 'invalid', fields: 'not json', problem: { code: 'unreadable_row' } },
    ]);
    const a = await stockOf('acme', 'IMP-A', (b) => (b.locations as unknown[]).length === 2);
    expect(a.locations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ location: 'main', onHand: 6 }),
        expect.objectContaining({ location: 'north', onHand: 2 }),
      ]),
    );

    // Again: the checkpoint says every row has its outcome, so nothing is sent at all.
    const events = await platform.endOffsets(topics().events);
    const again = await verity(
      platform,
      dir,
      'import',
      'stock.csv',
      '--type',
      'inventory.ReceiveStock',
      '--tenant',
      'acme',
    );
    expect(again).toMatchObject({ code: 3 });
    expect(again.stderr).toContain('pass --restart to send them again');
    // Again with --restart: every row is sent and answered from its stream as a repeat.
    const restarted = await verity(
      platform,
      dir,
      'import',
      'stock.csv',
      '--type',
      'inventory.ReceiveStock',
      '--tenant',
      'acme',
      '--restart',
    );
    expect(restarted).toMatchObject({ code: 3 });
    expect(restarted.stdout).toContain('5 rows: 0 imported, 3 already imported, 0 rejected, 2 invalid\n');
    expect(await platform.endOffsets(topics().events)).toEqual(events);

    // The same file under another type is another import: refused until --restart says so.
    const otherType = await verity(
      platform,
      dir,
      'import',
      'stock.csv',
      '--type',
      'inventory.AdjustStock',
      '--tenant',
      'acme',
    );
    expect(otherType.code).toBe(1);
    expect(otherType.stderr).toContain('CheckpointMismatchError [checkpoint_mismatch]');
  }, 120_000);

  it('resumes an import stopped by Ctrl-C and then killed: every row applied exactly once, every bad row reported once', async () => {
    const skus = 100;
    const rows = 2_000;
    const lines = ['sku,location,quantity'];
    // Every 250th row is invalid: the report must hold each of them once, in order, across the three runs.
    const invalid = (row: number): boolean => row % 250 === 0;
    for (let row = 1; row <= rows; row++) lines.push(`RES-${row % skus},main,${invalid(row) ? 'x' : (row % 5) + 1}`);
    const invalidRows = Array.from({ length: rows }, (_, i) => i + 1).filter(invalid);
    const file = join(dir, 'big.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    const fileId = await fileIdOf(file);
    const checkpointFile = join(dir, '.verity', 'imports', `${fileId}.json`);
    const doneOf = async (): Promise<number> =>
      (JSON.parse(await readFile(checkpointFile, 'utf8').catch(() => '{"done":0}')) as { done: number }).done;

    /** Starts the import; once the checkpoint passes `atLeast` rows, sends `signal`; resolves with the exit. */
    async function interrupted(
      signal: NodeJS.Signals,
      atLeast: number,
    ): Promise<{ code: number | null; signal: string | null; stderr: string }> {
      const child = spawn(
        process.execPath,
        [MAIN, 'import', 'big.csv', '--type', 'inventory.ReceiveStock', '--tenant', 'resume', '--concurrency', '8'],
        { env: platform.env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.on('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      await eventually(async () => ((await doneOf()) >= atLeast ? true : undefined), 60_000, `${atLeast} rows done`);
      child.kill(signal);
      return { ...(await exit), stderr };
    }

    const first = await interrupted('SIGINT', 300);
    expect(first).toMatchObject({ code: 130 });
    expect(first.stderr).toContain('run the same command again to resume');
    const afterInterrupt = await doneOf();
    expect(afterInterrupt).toBeLessThan(rows);

    const second = await interrupted('SIGKILL', afterInterrupt + 300);
    expect(second.signal).toBe('SIGKILL');
    expect(await doneOf()).toBeLessThan(rows);

    const last = await verity(
      platform,
      dir,
      'import',
      'big.csv',
      '--type',
      'inventory.ReceiveStock',
      '--tenant',
      'resume',
    );
    expect(last.code).toBe(3);
    expect(last.stderr).toMatch(/resuming big\.csv after row \d+/);
    const counted = /2,000 rows: ([\d,]+) imported, ([\d,]+) already imported, 0 rejected, 8 invalid/.exec(last.stdout);
    expect(counted).not.toBeNull();
    expect(Number(counted![1]!.replace(/,/g, '')) + Number(counted![2]!.replace(/,/g, ''))).toBe(rows - 8);
    expect((await reportOf(join(dir, 'big.csv.rejected.ndjson'))).map((r) => [r.row, r.outcome])).toEqual(
      invalidRows.map((row) => [row, 'invalid']),
    );

    // Exactly once: one event per valid row, each stream's versions 1..n with none twice.
    const byCommand = await eventsOfFile(fileId);
    expect(byCommand.size).toBe(rows - invalidRows.length);
    expect(invalidRows.filter((row) => byCommand.has(`import:${fileId}:${row}`))).toEqual([]);
    expect([...byCommand].filter(([, events]) => events.length !== 1)).toEqual([]);
    const versions = new Map<string, number[]>();
    for (const [event] of byCommand.values())
      versions.set(event!.streamId, [...(versions.get(event!.streamId) ?? []), event!.version]);
    expect(versions.size).toBe(skus);
    for (const list of versions.values())
      expect(list.sort((x, y) => x - y)).toEqual(Array.from({ length: list.length }, (_, i) => i + 1));
    expect([...versions.values()].reduce((sum, list) => sum + list.length, 0)).toBe(rows - invalidRows.length);
    // And the read model holds each SKU's sum.
    const expected = lines
      .slice(1)
      .filter((line) => line.startsWith('RES-7,'))
      .reduce((sum, line) => sum + Number(line.split(',')[2]), 0);
    await stockOf('resume', 'RES-7', (b) => (b.totals as { onHand: number }).onHand === expected);
  }, 240_000);

  it('refuses a missing file, an unknown type and an unreadable CSV by name, sending nothing', async () => {
    const events = await platform.endOffsets(topics().events);
    const missing = await verity(platform, dir, 'import', 'nope.csv', '--type', 'inventory.ReceiveStock');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ImportFileNotFoundError [import_file_not_found]');

    await writeFile(join(dir, 'broken.csv'), 'sku,location,quantity\nX-1,main,1\n"X-2,main,2\n');
    const unknown = await verity(platform, dir, 'import', 'broken.csv', '--type', 'inventory.Teleport');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UnknownImportTypeError [unknown_command_type]');
    const access = await verity(platform, dir, 'import', 'broken.csv', '--type', 'access.IssueApiKey');
    expect(access.stderr).toContain('[unknown_command_type]');

    const broken = await verity(platform, dir, 'import', 'broken.csv', '--type', 'inventory.ReceiveStock');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('UnreadableFileError [unreadable_file]');
    expect(await platform.endOffsets(topics().events)).toEqual(events);
  }, 60_000);
});
