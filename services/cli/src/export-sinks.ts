import { createHash } from 'node:crypto';
import { WriteStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { EVENT_HEADERS } from '@verity/core';
import type { StreamChainSummary } from '@verity/events';
import type { EventLine } from './event-line';

/** A stream of an export, in its context. */
export type ExportedStream = StreamChainSummary & { context: string };

/** Where an export's events and stream summaries are written, in that order. */
export interface ExportSink {
  event(line: EventLine): Promise<void>;
  streams(streams: readonly ExportedStream[]): Promise<void>;
  close(): Promise<void>;
}

/** Text out with backpressure: a file, or the process's stdout. */
export interface TextOut {
  write(text: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** Writes `text`, waiting when the stream asks to (a slow reader of a pipe holds the export back, not memory). */
export async function writeText(out: TextOut, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

async function closeFile(out: TextOut): Promise<void> {
  if (out instanceof WriteStream) {
    out.end();
    await once(out, 'finish');
  }
}

/** NDJSON: `{"record":"event",...}` per event, then `{"record":"stream",...}` per stream. */
export function ndjsonSink(out: TextOut): ExportSink {
  return {
    event: (line) => writeText(out, `${JSON.stringify({ record: 'event', ...line })}\n`),
    async streams(streams) {
      for (const stream of streams) await writeText(out, `${JSON.stringify({ record: 'stream', ...stream })}\n`);
    },
    close: () => closeFile(out),
  };
}

const HEADER_COLUMNS = [...EVENT_HEADERS.required, ...EVENT_HEADERS.optional];
const STREAM_COLUMNS = [
  'events',
  'first_version',
  'anchor_prev_hash',
  'verified_from',
  'last_version',
  'last_hash',
  'verified',
  'first_break',
] as const;
export const CSV_COLUMNS = [
  'record',
  'context',
  'topic',
  'partition',
  'offset',
  'timestamp',
  'key',
  ...HEADER_COLUMNS,
  'payload',
  'value',
  ...STREAM_COLUMNS,
];

/** RFC 4180: quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const csvRow = (cells: Record<string, string>): string =>
  `${CSV_COLUMNS.map((column) => csvField(cells[column] ?? '')).join(',')}\r\n`;

/** CSV: one row per event (its headers a column each), then one `stream` row per stream. */
export function csvSink(out: TextOut): ExportSink {
  let started = false;
  // The column names come first, also in an export without a row.
  const header = async (): Promise<void> => {
    if (started) return;
    started = true;
    await writeText(out, `${CSV_COLUMNS.join(',')}\r\n`);
  };
  const write = async (cells: Record<string, string>): Promise<void> => {
    await header();
    await writeText(out, csvRow(cells));
  };
  return {
    event: (line) =>
      write({
        record: 'event',
        context: line.context,
        topic: line.topic,
        partition: String(line.partition),
        offset: line.offset,
        timestamp: line.timestamp,
        key: line.key,
        ...line.headers,
        payload: JSON.stringify(line.payload),
        value: line.value ?? '',
      }),
    async streams(streams) {
      for (const s of streams)
        await write({
          record: 'stream',
          context: s.context,
          key: s.stream,
          events: String(s.events),
          first_version: String(s.firstVersion),
          anchor_prev_hash: s.anchorPrevHash,
          verified_from: String(s.verifiedFrom),
          last_version: String(s.lastVersion),
          last_hash: s.lastHash,
          verified: String(s.verified),
          first_break: s.firstBreak ? JSON.stringify(s.firstBreak) : '',
        });
      await header();
    },
    close: () => closeFile(out),
  };
}

/** One context's events as gzip NDJSON in a file: hashed and counted as they are written. */
export class GzipLines {
  private readonly gzip: Gzip = createGzip();
  private readonly file: WriteStream;
  private readonly hash = createHash('sha256');
  bytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    this.file = createWriteStream(path);
    this.gzip.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytes += chunk.length;
    });
    this.gzip.pipe(this.file);
  }

  async write(line: EventLine): Promise<void> {
    this.lines++;
    if (!this.gzip.write(`${JSON.stringify(line)}\n`)) await once(this.gzip, 'drain');
  }

  /** Ends the file; its sha256 (of the compressed bytes). */
  async close(): Promise<string> {
    this.gzip.end();
    await once(this.file, 'finish');
    return this.hash.digest('hex');
  }
}
