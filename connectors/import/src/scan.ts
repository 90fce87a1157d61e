import { createHash } from 'node:crypto';
import { readRows, type ImportFormat } from './read-rows';
import { fileIdOf } from './row-plan';

/**
 * A first pass over a file before anything is sent: its id (from its bytes), how many rows it has
 * (for the progress and its ETA), and `UnreadableFileError` if it cannot be read to the end, so a
 * broken file writes nothing at all.
 */
export async function scanFile(
  chunks: AsyncIterable<Buffer | string>,
  format: ImportFormat,
): Promise<{ fileId: string; rows: number }> {
  const hash = createHash('sha256');
  async function* hashed(): AsyncGenerator<Buffer | string> {
    for await (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
  }
  let rows = 0;
  for await (const _row of readRows(hashed(), format)) rows++;
  return { fileId: fileIdOf(hash.digest('hex')), rows };
}
