import { VerityError } from '@verity/core';

/** A file of a tar archive: its name (at most 100 bytes) and its bytes. */
export interface TarEntry {
  name: string;
  data: Buffer;
}

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

/** The files of a ustar archive held in memory. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) return entries;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '')
        .trim();
    if (parseInt(field(148, 8), 8) !== checksum(header))
      throw new UnreadableTarError(`bad header checksum at byte ${at}`);
    const size = parseInt(field(124, 12), 8);
    const start = at + BLOCK;
    if (start + size > archive.length) throw new UnreadableTarError(`${field(0, 100)} is cut short`);
    entries.push({ name: field(0, 100), data: archive.subarray(start, start + size) });
    at = start + size + tarPadding(size).length;
  }
  throw new UnreadableTarError('no end-of-archive blocks');
}
