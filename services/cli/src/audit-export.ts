import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { contexts } from '@verity/domain';
import { fromHeaders } from '@verity/core';
import { ChainFollower, UnknownTopicError, contextTopics, topicRange, type PartitionRange } from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema, type Platform } from '@verity/service-kit';
import {
  ARCHIVE_FORMAT,
  ArchiveVerificationError,
  checkArchive,
  writeArchive,
  type ArchiveFile,
  type ArchiveManifest,
  type ArchivedStream,
} from './audit-archive';
import { parseAuditExportArgs, parseVerifyArchiveArgs, type AuditExportArgs } from './audit-export-args';

export { AUDIT_EXPORT_USAGE } from './audit-export-args';
import { eventLine } from './event-line';
import { GzipLines, csvSink, ndjsonSink, type ExportSink, type ExportedStream, type TextOut } from './export-sinks';
import { scanRange } from './range-scan';
import { describePosition } from './topic-position-arg';
import { withFileSource } from './ustar';

/** Where the command writes and what configures it; the process's own by default. */
export interface ExportIo {
  env: NodeJS.ProcessEnv;
  stdout: TextOut;
  stderr: { write(text: string): unknown };
}

const processIo = (): ExportIo => ({ env: process.env, stdout: process.stdout, stderr: process.stderr });

/** One context's part of an export: its topic and the offsets in range. */
interface ContextRange {
  context: string;
  topic: string;
  ranges: Map<number, PartitionRange>;
}

/**
 * Runs `verity audit export ...`: every event of the tenant in range, each stream's chain
 * verified while reading, and per stream the last hash. Only the range is read: a stream's
 * chain is verified from its genesis when its partition is read from the start, else from its
 * first event in range (against that event's own prev hash), and each stream's summary says
 * from which version. Exit code 1 when a chain does not hold: the export is written all the
 * same, with the break in the stream's summary.
 */
export async function runAuditExport(args: readonly string[], io: ExportIo = processIo()): Promise<number> {
  const request = parseAuditExportArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  const platform = createPlatform('cli-audit-export', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const admin = platform.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const names = request.context ? [request.context] : contexts.map((c) => c.name);
    const parts: ContextRange[] = [];
    for (const context of names) {
      const topic = contextTopics(context, env.VERITY_TOPIC_PREFIX).events;
      if (!existing.has(topic)) {
        // Every context is asked for when none is named: one never written to has no topic yet.
        if (request.context) throw new UnknownTopicError(topic);
        continue;
      }
      parts.push({ context, topic, ranges: await topicRange(admin, topic, request.from, request.to) });
    }
    io.stderr.write(
      `exporting tenant ${request.tenant} from ${describePosition(request.from)} to ${describePosition(request.to)}: ${parts.map((p) => p.topic).join(', ') || 'no events topics'}\n`,
    );
    const startedAt = Date.now();
    const { events, streams, read } =
      request.target.kind === 'archive'
        ? await exportArchive(platform, admin, request, parts, request.target.path, io)
        : await exportText(platform, admin, request, parts, io);
    const elapsedMs = Date.now() - startedAt;
    const broken = streams.filter((s) => !s.verified);
    const midStream = streams.filter((s) => s.verifiedFrom > 1).length;
    io.stderr.write(
      `exported ${events} events of ${streams.length} streams in ${(elapsedMs / 1000).toFixed(1)} s (${elapsedMs > 0 ? Math.round((events * 1000) / elapsedMs) : 0} events/s), ${read} records read; ` +
        `${broken.length === 0 ? 'every chain verified' : `${broken.length} chains BROKEN`}` +
        `${midStream === 0 ? '' : `, ${midStream} from their first event in range, not from version 1`}\n`,
    );
    for (const s of broken)
      io.stderr.write(
        `BROKEN ${s.context} ${s.stream}: ${s.firstBreak?.kind} at version ${s.firstBreak?.version}, offset ${s.firstBreak?.offset}\n`,
      );
    return broken.length === 0 ? 0 : 1;
  } finally {
    await admin.disconnect();
  }
}

/** What one context's read gave: its streams' chains, and the records read for them. */
interface ContextExport {
  streams: ExportedStream[];
  read: number;
}

/**
 * Reads one context's range for the tenant: each event to the chain check and to `emit`. A
 * partition read from its start has every stream's genesis; one read from mid-log takes each
 * stream up at its first event in range.
 */
async function exportContext(
  platform: Platform,
  admin: ReturnType<Platform['kafka']['admin']>,
  tenant: string,
  part: ContextRange,
  io: ExportIo,
  emit: (line: ReturnType<typeof eventLine>) => Promise<void>,
): Promise<ContextExport> {
  const follower = new ChainFollower();
  const prefix = `${tenant}/`;
  const read = await scanRange({
    kafka: platform.kafka,
    admin,
    topic: part.topic,
    ranges: part.ranges,
    purpose: 'audit-export',
    progress: io.stderr,
    onRecord: async (message, partition) => {
      const key = message.key?.toString() ?? '';
      if (!key.startsWith(prefix) || !message.value) return;
      const where = { topic: part.topic, partition, offset: message.offset };
      const metadata = fromHeaders(message.headers, where);
      const takeUp = part.ranges.get(partition)?.fromLogStart ? 'genesis' : 'here';
      follower.follow(key, { offset: message.offset, metadata, value: message.value }, takeUp);
      const { value } = await platform.serde.decode(message.value, where);
      await emit(eventLine({ context: part.context, topic: part.topic, partition }, message, value, true));
    },
  });
  return { streams: follower.summaries().map((s) => ({ context: part.context, ...s })), read };
}

/** What an export wrote and read. */
interface Exported {
  events: number;
  streams: ExportedStream[];
  /** Records read from the events topics, the tenant's and others' in range. */
  read: number;
}

async function exportText(
  platform: Platform,
  admin: ReturnType<Platform['kafka']['admin']>,
  request: AuditExportArgs,
  parts: readonly ContextRange[],
  io: ExportIo,
): Promise<Exported> {
  const out = request.target.kind === 'file' ? createWriteStream(request.target.path) : io.stdout;
  const sink: ExportSink = request.format === 'csv' ? csvSink(out) : ndjsonSink(out);
  let events = 0;
  let read = 0;
  const streams: ExportedStream[] = [];
  try {
    for (const part of parts) {
      const context = await exportContext(platform, admin, request.tenant, part, io, (line) => {
        events++;
        return sink.event(line);
      });
      streams.push(...context.streams);
      read += context.read;
    }
    await sink.streams(streams);
  } finally {
    await sink.close();
  }
  return { events, streams, read };
}

async function exportArchive(
  platform: Platform,
  admin: ReturnType<Platform['kafka']['admin']>,
  request: AuditExportArgs,
  parts: readonly ContextRange[],
  path: string,
  io: ExportIo,
): Promise<Exported> {
  const files: (ArchiveFile & ArchiveManifest['files'][number])[] = [];
  const streams: ExportedStream[] = [];
  let read = 0;
  // Each context's gzip file is written beside the archive first: the manifest needs its hash.
  const parked: string[] = [];
  try {
    for (const part of parts) {
      const gz = new GzipLines(`${path}.${part.context}.part`);
      parked.push(gz.path);
      let sha256 = '';
      try {
        const context = await exportContext(platform, admin, request.tenant, part, io, (line) => gz.write(line));
        streams.push(...context.streams);
        read += context.read;
      } finally {
        sha256 = await gz.close();
      }
      files.push({
        name: `events/${part.context}.ndjson.gz`,
        path: gz.path,
        context: part.context,
        sha256,
        bytes: gz.bytes,
        events: gz.lines,
      });
    }
    const now = new Date();
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      tenant: request.tenant,
      createdAt: now.toISOString(),
      range: { from: describePosition(request.from), to: describePosition(request.to) },
      topics: parts.map((p) => ({
        context: p.context,
        topic: p.topic,
        partitions: [...p.ranges].map(([partition, { start, end }]) => ({
          partition,
          start: start.toString(),
          end: end.toString(),
        })),
      })),
      files: files.map(({ name, context, sha256, bytes, events }) => ({ name, context, sha256, bytes, events })),
      events: files.reduce((sum, f) => sum + f.events, 0),
      streams,
    };
    await writeArchive(path, manifest, files, now);
    io.stderr.write(
      `archive ${path}: ${manifest.events} events in ${files.length} files, manifest with sha256 of each\n`,
    );
    return { events: manifest.events, streams, read };
  } finally {
    for (const file of parked) await rm(file, { force: true });
  }
}

/** Runs `verity audit verify-archive <file>`: offline, nothing but the archive. */
export async function runVerifyArchive(args: readonly string[], io: ExportIo = processIo()): Promise<number> {
  const path = parseVerifyArchiveArgs(args);
  const { manifest, events, problems } = await withFileSource(path, checkArchive);
  for (const problem of problems) io.stdout.write(`PROBLEM ${problem}\n`);
  if (problems.length > 0 || !manifest) throw new ArchiveVerificationError(path, problems);
  io.stdout.write(
    `OK ${path}: tenant ${manifest.tenant}, ${events} events, ${manifest.streams.length} streams, ` +
      `${manifest.files.length} files; sha256, chains and counts verified (range ${manifest.range.from} to ${manifest.range.to})\n`,
  );
  for (const s of manifest.streams)
    io.stdout.write(
      `  ${s.context} ${s.stream}: versions ${s.firstVersion}-${s.lastVersion}, ${chainSpan(s)}, last hash ${s.lastHash}\n`,
    );
  return 0;
}

/** From where an archived stream's chain was verified, in words. */
function chainSpan(stream: ArchivedStream): string {
  // Archives written before ranged reads have no `verifiedFrom`: their exports read every partition from its start.
  const from = stream.verifiedFrom ?? 1;
  return from === 1
    ? 'chain verified from version 1'
    : `chain verified from version ${from}, whose prev hash ${stream.anchorPrevHash} precedes the export`;
}
