import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { chain, toHeaders, type EventMetadata } from '@verity/core';
import { ARCHIVE_FORMAT, MANIFEST_NAME, checkArchive, type ArchiveManifest } from './audit-archive';
import { headerStrings } from './event-line';
import { TAR_END, bufferSource, tarFiles, tarHeader, tarPadding, withFileSource } from './ustar';
import { readTar } from './testing/tar-files';

const base: EventMetadata = {
  id: 'c:0',
  type: 'verity.inventory.StockReceived',
  source: '/verity/inventory',
  time: '2026-11-23T10:00:00.000Z',
  subject: 'acme/SKU-1',
  streamVersion: 1,
  schemaVersion: 1,
  tenant: 'acme',
  actor: 'alice',
  correlationId: 'c',
  causationId: 'c',
  sourceSystem: 'api',
  sourceTimestamp: '2026-11-23T10:00:00.000Z',
};

type Line = Record<string, unknown> & { key: string; value: string; headers: Record<string, string> };

/** Event lines of `stream`, versions 1..n, chained as the processor chains them. */
function streamLines(stream: string, n: number): Line[] {
  const lines: Line[] = [];
  let prev = '';
  for (let version = 1; version <= n; version++) {
    const value = Buffer.from(`${stream} payload ${version}`);
    const metadata = chain(
      prev,
      { ...base, id: `${stream}:${version}`, subject: stream, streamVersion: version },
      value,
    );
    prev = metadata.hash;
    lines.push({
      context: 'inventory',
      topic: 't.inventory.events',
      partition: 0,
      offset: String(lines.length),
      timestamp: '0',
      key: stream,
      headers: headerStrings(toHeaders(metadata)),
      payload: { version },
      value: value.toString('base64'),
    });
  }
  return lines;
}

function tar(files: Record<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of Object.entries(files))
    parts.push(tarHeader(name, data.length, 0), data, tarPadding(data.length));
  return Buffer.concat([...parts, TAR_END]);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const FILE = 'events/inventory.ndjson.gz';

/** An archive of `lines` whose manifest agrees with them, exported from version `from` on. */
function archiveOf(lines: Line[], from = 1, edit: (m: ArchiveManifest) => void = () => undefined): Buffer {
  const exported = lines.filter((l) => Number(l.headers.ce_streamversion) >= from);
  const gz = gzipSync(exported.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const streams = [...new Set(exported.map((l) => l.key))].map((stream) => {
    const own = exported.filter((l) => l.key === stream);
    return {
      context: 'inventory',
      stream,
      events: own.length,
      firstVersion: Number(own[0]!.headers.ce_streamversion),
      verifiedFrom: Number(own[0]!.headers.ce_streamversion),
      anchorPrevHash: own[0]!.headers.ce_prevhash!,
      lastVersion: Number(own.at(-1)!.headers.ce_streamversion),
      lastHash: own.at(-1)!.headers.ce_hash!,
      verified: true,
    };
  });
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    tenant: 'acme',
    createdAt: '2026-12-03T00:00:00.000Z',
    range: { from: 'start', to: 'end' },
    topics: [
      { context: 'inventory', topic: 't.inventory.events', partitions: [{ partition: 0, start: '0', end: '9' }] },
    ],
    files: [{ name: FILE, context: 'inventory', sha256: sha256(gz), bytes: gz.length, events: exported.length }],
    events: exported.length,
    streams,
  };
  edit(manifest);
  return tar({ [MANIFEST_NAME]: Buffer.from(JSON.stringify(manifest)), [FILE]: gz });
}

/** The archive with its event file's lines changed by `change`, and (with `rehash`) the manifest's sha256 and size made to match. */
async function tampered(archive: Buffer, change: (lines: string[]) => string[], rehash: boolean): Promise<Buffer> {
  const entries = new Map((await readTar(archive)).map((e) => [e.name, e.data]));
  const lines = gunzipSync(entries.get(FILE)!).toString().trimEnd().split('\n');
  const gz = gzipSync(
    change(lines)
      .map((l) => `${l}\n`)
      .join(''),
  );
  const manifest = JSON.parse(entries.get(MANIFEST_NAME)!.toString()) as ArchiveManifest;
  if (rehash) manifest.files[0] = { ...manifest.files[0]!, sha256: sha256(gz), bytes: gz.length };
  return tar({ [MANIFEST_NAME]: Buffer.from(JSON.stringify(manifest)), [FILE]: gz });
}

const lines = [...streamLines('acme/A', 3), ...streamLines('acme/B', 2)];
const check = (archive: Buffer) => checkArchive(bufferSource(archive));

describe('checkArchive', () => {
  it('passes an archive whose files, chains and counts agree with its manifest', async () => {
    expect(await check(archiveOf(lines))).toMatchObject({ events: 5, problems: [] });
  });

  it('takes a range that starts mid-stream up from the anchor in the manifest', async () => {
    expect(await check(archiveOf(lines, 2))).toMatchObject({ events: 3, problems: [] });
  });

  it("names a line whose value was changed: the file's hash, and the chain even when the manifest was rehashed", async () => {
    const forge = (ls: string[]) =>
      ls.map((l, i) =>
        i === 1 ? l.replace(/"value":"[^"]+"/, `"value":"${Buffer.from('forged').toString('base64')}"`) : l,
      );
    expect((await check(await tampered(archiveOf(lines), forge, false))).problems).toEqual(
      expect.arrayContaining([
        `${FILE}: sha256 differs from the manifest`,
        expect.stringMatching(
          /^events\/inventory\.ndjson\.gz line 2: acme\/A chain broken, hash_mismatch at version 2/,
        ),
      ]),
    );
    const rehashed = (await check(await tampered(archiveOf(lines), forge, true))).problems;
    expect(rehashed).not.toContain(`${FILE}: sha256 differs from the manifest`);
    expect(rehashed).toEqual([expect.stringContaining('line 2: acme/A chain broken, hash_mismatch at version 2')]);
  });

  it('names a changed payload by the hash of its file', async () => {
    const edit = (ls: string[]) => ls.map((l, i) => (i === 0 ? l.replace('"version":1', '"version":100') : l));
    expect((await check(await tampered(archiveOf(lines), edit, false))).problems).toEqual([
      expect.stringMatching(/^events\/inventory\.ndjson\.gz: \d+ bytes, the manifest says \d+$/),
      `${FILE}: sha256 differs from the manifest`,
    ]);
  });

  it('names a removed last line: counts and the last hash no longer agree', async () => {
    const problems = (await check(await tampered(archiveOf(lines), (ls) => ls.slice(0, -1), true))).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        `${FILE}: 4 events, the manifest says 5`,
        expect.stringContaining('inventory acme/B: lastHash'),
        '4 events in the files, the manifest says 5',
      ]),
    );
  });

  it('names a manifest that vouches for another last hash, or a chain broken when exported', async () => {
    expect(
      (
        await check(
          archiveOf(lines, 1, (m) => {
            m.streams[0]!.lastHash = 'f00';
          }),
        )
      ).problems,
    ).toEqual([expect.stringContaining('inventory acme/A: lastHash')]);
    expect(
      (
        await check(
          archiveOf(lines, 1, (m) => {
            m.streams[1] = {
              ...m.streams[1]!,
              verified: false,
              firstBreak: { kind: 'hash_mismatch', version: 2, expected: 'a', actual: 'b' },
            };
          }),
        )
      ).problems,
    ).toEqual(['inventory acme/B: chain broken when exported (hash_mismatch at version 2)']);
  });

  it('names a manifest that claims more of a chain than its events show', async () => {
    expect(
      (
        await check(
          archiveOf(lines, 2, (m) => {
            m.streams[0]!.verifiedFrom = 1;
          }),
        )
      ).problems,
    ).toEqual(['inventory acme/A: verified from version 1, the manifest says, but its events start at version 2']);
    // A version 1 re-pointed at a hash, the manifest's anchor made to match: no genesis.
    const repointed = streamLines('acme/C', 1).map((l) => {
      const value = Buffer.from(l.value, 'base64');
      const metadata = chain('f'.repeat(64), { ...base, id: 'acme/C:1', subject: 'acme/C' }, value);
      return { ...l, headers: headerStrings(toHeaders(metadata)) };
    });
    expect((await check(archiveOf(repointed))).problems).toEqual([
      `inventory acme/C: version 1 points at hash ${'f'.repeat(64)}, a genesis points at none`,
    ]);
  });

  it('accepts a manifest written before verifiedFrom existed', async () => {
    const older = archiveOf(lines, 2, (m) => {
      for (const s of m.streams) delete s.verifiedFrom;
    });
    expect(await check(older)).toMatchObject({ events: 3, problems: [] });
  });

  it('refuses what is not an archive', async () => {
    expect((await check(Buffer.from('hello'))).problems).toEqual([
      'not a readable tar archive: no end-of-archive blocks',
    ]);
    expect((await check(tar({ 'other.txt': Buffer.from('x') }))).problems).toEqual([`no ${MANIFEST_NAME}`]);
    const corrupt = archiveOf(lines);
    corrupt[10] = 0x41;
    expect((await check(corrupt)).problems).toEqual(['not a readable tar archive: bad header checksum at byte 0']);
  });
});

describe('ustar', () => {
  it('reads an archive file piece by piece as it reads one in memory', async () => {
    const archive = tar({ 'a.txt': Buffer.from('alpha'), 'big.bin': Buffer.alloc(200_000, 3) });
    const dir = await mkdtemp(join(tmpdir(), 'ustar-'));
    try {
      await writeFile(join(dir, 'a.tar'), archive);
      const read = await withFileSource(join(dir, 'a.tar'), async (source) => {
        const files = await tarFiles(source);
        const bytes: Buffer[] = [];
        for await (const chunk of source.chunks(files[1]!.position, files[1]!.size)) bytes.push(chunk);
        return { names: files.map((f) => f.name), big: Buffer.concat(bytes) };
      });
      expect(read.names).toEqual(['a.txt', 'big.bin']);
      expect(read.big.equals(Buffer.alloc(200_000, 3))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads back what it writes, names and bytes', async () => {
    const files = { 'a.txt': Buffer.from('alpha'), 'dir/b.bin': Buffer.alloc(1000, 7) };
    expect((await readTar(tar(files))).map((e) => [e.name, e.data.toString('hex')])).toEqual(
      Object.entries(files).map(([name, data]) => [name, data.toString('hex')]),
    );
  });
});
