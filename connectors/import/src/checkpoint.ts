import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ImportCounts } from './run-import';

const counts = z.object({
  imported: z.number().int().nonnegative(),
  repeated: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});

/**
 * How far an import of one file got: rows 1..done have a known outcome, counted in `counts` and,
 * when reported, written to the first `reportBytes` bytes of the report. A resumed import skips
 * those rows, and cuts the report back to that length before it appends.
 */
export const importCheckpointSchema = z.object({
  fileId: z.string().min(1),
  type: z.string().min(1),
  tenant: z.string().min(1),
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  counts,
  report: z.string().min(1),
  reportBytes: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type ImportCheckpoint = z.infer<typeof importCheckpointSchema> & { counts: ImportCounts };

/** Where a file's checkpoint is kept: `<dir>/<file id>.json` (`dir` is `.verity/imports` by default). */
export const checkpointPath = (dir: string, fileId: string): string => join(dir, `${fileId}.json`);

/** The checkpoint at `path`; undefined when there is none. A file that is not one is an error, not a fresh start. */
export async function readCheckpoint(path: string): Promise<ImportCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return importCheckpointSchema.parse(JSON.parse(text));
}

/** Written aside and renamed over the old one: a kill mid-write leaves the previous checkpoint whole. */
export async function writeCheckpoint(path: string, checkpoint: ImportCheckpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const aside = `${path}.${process.pid}.tmp`;
  await writeFile(aside, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(aside, path);
}
