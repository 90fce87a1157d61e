import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { VerityError, fromHeaders } from '@verity/core';
import { ChainFollower, type ChainAnchor, type StreamChainSummary } from '@verity/events';
import { TAR_END, tarFiles, tarHeader, tarPadding, type ArchiveSource } from './ustar';

export const ARCHIVE_FORMAT = 'verity-audit-archive/1';
export const MANIFEST_NAME = 'manifest.json';

const streamSummarySchema = z.object({
  context: z.string(),
  stream: z.string(),
  events: z.number().int().nonnegative(),
  firstVersion: z.number().int().positive(),
  anchorPrevHash: z.string(),
  /** Absent in archives written before exports read only their range: those verified every chain from version 1. */
  verifiedFrom: z.number().int().positive().optional(),
  lastVersion: z.number().int().positive(),
  lastHash: z.string(),
  verified: z.boolean(),
  firstBreak: z
    .object({
      kind: z.string(),
      version: z.number(),
      offset: z.string().optional(),
      expected: z.string(),
      actual: z.string(),
    })
    .optional(),
});

/** What an archive holds, written beside its files: enough to check them with nothing but the archive. */
export const archiveManifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  tenant: z.string(),
  createdAt: z.string(),
  /** The positions asked for, as given, and the offsets they came to per topic partition. */
  range: z.object({ from: z.string(), to: z.string() }),
  topics: z.array(
    z.object({
      context: z.string(),
      topic: z.string(),
      partitions: z.array(z.object({ partition: z.number(), start: z.string(), end: z.string() })),
    }),
  ),
  /** One gzip NDJSON file per context: its sha256 (of the compressed bytes), size and event lines. */
  files: z.array(
    z.object({
      name: z.string(),
      context: z.string(),
      sha256: z.string(),
      bytes: z.number().int().nonnegative(),
      events: z.number().int().nonnegative(),
    }),
  ),
  events: z.number().int().nonnegative(),
  /** Per stream: the span exported, where its chain is taken up, its last hash, whether it held. */
  streams: z.array(streamSummarySchema),
});
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;
export type ArchivedStream = z.infer<typeof streamSummarySchema>;

/** An archive that does not check out: each problem named, the first ones in the message. */
export class ArchiveVerificationError extends VerityError {
  constructor(
    archive: string,
    readonly problems: readonly string[],
  ) {
    super(
      'archive_invalid',
      `${archive}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 3).join('; ')}`,
      { context: { archive, problems } },
    );
  }
}

export interface ArchiveCheck {
  manifest?: ArchiveManifest;
  /** Event lines read and checked. */
  events: number;
  problems: string[];
}

/** The line an archived event is written as, read back: the fields its chain is recomputed from. */
const archivedLineSchema = z.object({
  context: z.string(),
  offset: z.string(),
  key: z.string(),
  headers: z.record(z.string(), z.string()),
  value: z.string(),
});

/**
 * Checks an archive with nothing else: every file's sha256 and size against the manifest,
 * every stream's chain recomputed from the exported headers and value bytes (taken up from
 * the manifest's anchor when the range starts mid-stream), every count, and each stream's
 * last hash against the manifest. Lists every problem found. Event files are streamed: an
 * archive of any size is checked in bounded memory.
 */
export async function checkArchive(source: ArchiveSource): Promise<ArchiveCheck> {
  const problems: string[] = [];
  let files;
  try {
    files = new Map((await tarFiles(source)).map((f) => [f.name, f]));
  } catch (error) {
    return { events: 0, problems: [(error as Error).message] };
  }
  const manifestFile = files.get(MANIFEST_NAME);
  if (!manifestFile) return { events: 0, problems: [`no ${MANIFEST_NAME}`] };
  let parsed;
  try {
    const raw = await source.read(manifestFile.position, manifestFile.size);
    parsed = archiveManifestSchema.safeParse(JSON.parse(raw.toString('utf8')));
  } catch {
    return { events: 0, problems: [`${MANIFEST_NAME} is not JSON`] };
  }
  if (!parsed.success) return { events: 0, problems: [`${MANIFEST_NAME} is not a ${ARCHIVE_FORMAT} manifest`] };
  const manifest = parsed.data;
  let events = 0;
  for (const file of manifest.files) {
    const found = files.get(file.name);
    if (!found) {
      problems.push(`${file.name}: missing`);
      continue;
    }
    if (found.size !== file.bytes) problems.push(`${file.name}: ${found.size} bytes, the manifest says ${file.bytes}`);
    events += await checkEventFile(file, source.chunks(found.position, found.size), manifest.streams, problems);
  }
  if (events !== manifest.events) problems.push(`${events} events in the files, the manifest says ${manifest.events}`);
  for (const stream of manifest.streams) {
    const where = `${stream.context} ${stream.stream}`;
    if (!stream.verified)
      problems.push(
        `${where}: chain broken when exported (${stream.firstBreak?.kind ?? 'unknown'} at version ${stream.firstBreak?.version ?? '?'})`,
      );
    // The anchor is taken from the manifest: it must not claim more than the events show.
    if (stream.firstVersion === 1 && stream.anchorPrevHash !== '')
      problems.push(`${where}: version 1 points at hash ${stream.anchorPrevHash}, a genesis points at none`);
    if (stream.verified && stream.verifiedFrom !== undefined && stream.verifiedFrom !== stream.firstVersion)
      problems.push(
        `${where}: verified from version ${stream.verifiedFrom}, the manifest says, but its events start at version ${stream.firstVersion}`,
      );
  }
  return { manifest, events, problems };
}

/** The lines of gzip text in pieces, the compressed bytes hashed on the way. */
async function* gunzipLines(compressed: AsyncIterable<Buffer>, hash: Hash): AsyncIterable<string> {
  async function* hashed(): AsyncIterable<Buffer> {
    for await (const chunk of compressed) {
      hash.update(chunk);
      yield chunk;
    }
  }
  const gunzip = createGunzip();
  // A failure of either side surfaces in the loop below, as gunzip's error.
  pipeline(Readable.from(hashed()), gunzip).catch(() => undefined);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of gunzip) {
    const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  rest += decoder.end();
  if (rest) yield rest;
}

/** One context's event lines: parsed, chained per stream, counted; the number of lines read. */
async function checkEventFile(
  file: ArchiveManifest['files'][number],
  compressed: AsyncIterable<Buffer>,
  streams: readonly ArchivedStream[],
  problems: string[],
): Promise<number> {
  const listed = streams.filter((s) => s.context === file.context);
  const anchors = new Map<string, ChainAnchor>(
    listed.map((s) => [s.stream, { version: s.firstVersion, prevHash: s.anchorPrevHash }]),
  );
  const follower = new ChainFollower(anchors);
  const hash = createHash('sha256');
  let count = 0;
  try {
    for await (const line of gunzipLines(compressed, hash)) {
      if (line.length === 0) continue;
      count++;
      checkEventLine(`${file.name} line ${count}`, file.context, line, follower, problems);
    }
  } catch {
    problems.push(`${file.name}: not gzip`);
    return count;
  }
  if (hash.digest('hex') !== file.sha256) problems.push(`${file.name}: sha256 differs from the manifest`);
  if (count !== file.events) problems.push(`${file.name}: ${count} events, the manifest says ${file.events}`);
  compareStreams(file.context, follower.summaries(), listed, problems);
  return count;
}

function checkEventLine(
  where: string,
  context: string,
  line: string,
  follower: ChainFollower,
  problems: string[],
): void {
  let archived;
  try {
    archived = archivedLineSchema.parse(JSON.parse(line));
  } catch {
    problems.push(`${where}: not an archived event line`);
    return;
  }
  if (archived.context !== context) problems.push(`${where}: context ${archived.context} in a file of ${context}`);
  let metadata;
  try {
    metadata = fromHeaders(archived.headers);
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
    return;
  }
  if (metadata.subject !== archived.key)
    problems.push(`${where}: ce_subject ${metadata.subject} is not the key ${archived.key}`);
  const broken = follower.follow(archived.key, {
    offset: archived.offset,
    metadata,
    value: Buffer.from(archived.value, 'base64'),
  });
  if (broken)
    problems.push(
      `${where}: ${archived.key} chain broken, ${broken.kind} at version ${broken.version} (expected ${broken.expected || "''"}, found ${broken.actual || "''"})`,
    );
}

/** The streams recomputed from the lines against those the manifest lists, field by field. */
function compareStreams(
  context: string,
  found: readonly StreamChainSummary[],
  listed: readonly ArchivedStream[],
  problems: string[],
): void {
  const byStream = new Map(found.map((s) => [s.stream, s]));
  for (const expected of listed) {
    const actual = byStream.get(expected.stream);
    byStream.delete(expected.stream);
    if (!actual) {
      problems.push(`${context} ${expected.stream}: in the manifest, no events in the archive`);
      continue;
    }
    for (const field of ['events', 'firstVersion', 'lastVersion', 'lastHash'] as const)
      if (actual[field] !== expected[field])
        problems.push(`${context} ${expected.stream}: ${field} ${actual[field]}, the manifest says ${expected[field]}`);
  }
  for (const extra of byStream.keys()) problems.push(`${context} ${extra}: events in the archive, not in the manifest`);
}

/** A file of the archive being written: where its bytes are now, and how it is named in the archive. */
export interface ArchiveFile {
  name: string;
  path: string;
  bytes: number;
}

/** Writes the archive: the manifest first, then each file, as one ustar file. */
export async function writeArchive(
  target: string,
  manifest: ArchiveManifest,
  files: readonly ArchiveFile[],
  now: Date,
): Promise<void> {
  const out = createWriteStream(target);
  const write = async (chunk: Buffer): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  const mtime = Math.floor(now.getTime() / 1000);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  await write(tarHeader(MANIFEST_NAME, manifestBytes.length, mtime));
  await write(manifestBytes);
  await write(tarPadding(manifestBytes.length));
  for (const file of files) {
    await write(tarHeader(file.name, file.bytes, mtime));
    for await (const chunk of createReadStream(file.path)) await write(chunk as Buffer);
    await write(tarPadding(file.bytes));
  }
  await write(TAR_END);
  out.end();
  await once(out, 'finish');
}
