import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse } from 'csv-parse';
import { VerityError } from '@verity/core';

/** How a file's rows are written: a CSV with a header row, or one JSON object per line. */
export type ImportFormat = 'csv' | 'ndjson';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'ndjson'];

/** The format a file name says (`.csv`, `.ndjson`, `.jsonl`), if it says one. */
export function formatOfFileName(name: string): ImportFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  return undefined;
}

/**
 * One row of a file, numbered from 1 in file order (a CSV's header row is not a row; blank lines
 * are skipped and not counted). A CSV row's fields are its cells by column name, still text; an
 * NDJSON row's are the object's own. An NDJSON line that is not a JSON object is a row too, with
 * the reason it cannot be read, so it is reported like any other bad row.
 */
export type ReadRow =
  { row: number; fields: Record<string, unknown> } | { row: number; unreadable: string; reason: string };

/** The file as a whole cannot be read (a CSV's quoting broken, a header with a blank or repeated column). */
export class UnreadableFileError extends VerityError {
  constructor(message: string, line?: number) {
    super('unreadable_file', line === undefined ? message : `line ${line}: ${message}`, {
      retriable: false,
      context: line === undefined ? {} : { line },
    });
  }
}

function checkedHeader(header: string[]): string[] {
  const seen = new Set<string>();
  for (const [i, name] of header.entries()) {
    const column = name.trim();
    if (!column) throw new UnreadableFileError(`header: column ${i + 1} has no name`, 1);
    if (seen.has(column)) throw new UnreadableFileError(`header: column ${column} appears twice`, 1);
    seen.add(column);
  }
  return header.map((name) => name.trim());
}

async function* csvRows(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<ReadRow> {
  const parser = Readable.from(chunks).pipe(
    parse({ columns: checkedHeader, bom: true, skip_empty_lines: true, relax_column_count: false }),
  );
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) yield { row: ++row, fields: record };
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    if (error instanceof CsvError) throw new UnreadableFileError(error.message);
    throw error;
  }
}

function ndjsonRow(row: number, line: string): ReadRow {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return { row, fields: value as Record<string, unknown> };
    return { row, unreadable: line, reason: 'not a JSON object' };
  } catch (error) {
    return { row, unreadable: line, reason: `not JSON: ${(error as Error).message}` };
  }
}

async function* ndjsonRows(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<ReadRow> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let row = 0;
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line) yield ndjsonRow(++row, line);
      newline = rest.indexOf('\n');
    }
  }
  const last = (rest + decoder.end()).trim();
  if (last) yield ndjsonRow(row + 1, last);
}

/** The rows of a file's bytes, in order; `UnreadableFileError` when a CSV cannot be parsed. */
export function readRows(chunks: AsyncIterable<Buffer | string>, format: ImportFormat): AsyncGenerator<ReadRow> {
  return format === 'csv' ? csvRows(chunks) : ndjsonRows(chunks);
}
