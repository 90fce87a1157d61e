import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { VerityError } from '@verity/core';

const BLOCK = 512;

/** The archive is not a readable tar: cut short, or a header whose checksum does not add up. */
export class UnreadableTarError extends VerityError {
  constructor(reason: string) {
    super('unreadable_tar', `not a readable tar archive: ${reason}`);
  }
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

/** A POSIX ustar header for a regular file (mode 0644, owner 0), as every tar reads it. */
export function tarHeader(name: string, size: number, mtimeS: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new UnreadableTarError(`name ${name} is longer than 100 bytes`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 'utf8');
  header.write(octal(0o644, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(size, 12), 124);
  header.write(octal(mtimeS, 12), 136);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.write(`${checksum(header).toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** Zero bytes that fill a file's data up to a whole block. */
export const tarPadding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** Two zero blocks: the end of the archive. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

/** Random access to an archive's bytes: in memory, or a file read piece by piece. */
export interface ArchiveSource {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  /** The bytes from `position`, `length` of them, in pieces: a large file is never held whole. */
  chunks(position: number, length: number): AsyncIterable<Buffer>;
}

/** A file of an archive: its name, size and where its bytes start. */
export interface TarFile {
  name: string;
  size: number;
  position: number;
}

/** The files of a ustar archive, read header by header. */
export async function tarFiles(source: ArchiveSource): Promise<TarFile[]> {
  const files: TarFile[] = [];
  let at = 0;
  while (at + BLOCK <= source.size) {
    const header = await source.read(at, BLOCK);
    if (header.every((byte) => byte === 0)) return files;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '')
        .trim();
    if (parseInt(field(148, 8), 8) !== checksum(header))
      throw new UnreadableTarError(`bad header checksum at byte ${at}`);
    const size = parseInt(field(124, 12), 8);
    const position = at + BLOCK;
    if (position + size > source.size) throw new UnreadableTarError(`${field(0, 100)} is cut short`);
    files.push({ name: field(0, 100), size, position });
    at = position + size + tarPadding(size).length;
  }
  throw new UnreadableTarError('no end-of-archive blocks');
}

/** An archive held in memory. */
export function bufferSource(archive: Buffer): ArchiveSource {
  return {
    size: archive.length,
    read: (position, length) => Promise.resolve(archive.subarray(position, position + length)),
    async *chunks(position, length) {
      yield await Promise.resolve(archive.subarray(position, position + length));
    },
  };
}

/** An archive file, opened for the duration of `use`. */
export async function withFileSource<T>(path: string, use: (source: ArchiveSource) => Promise<T>): Promise<T> {
  const file = await open(path);
  try {
    const { size } = await file.stat();
    return await use({
      size,
      async read(position, length) {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await file.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      async *chunks(position, length) {
        if (length === 0) return;
        for await (const chunk of createReadStream(path, { start: position, end: position + length - 1 }))
          yield chunk as Buffer;
      },
    });
  } finally {
    await file.close();
  }
}
