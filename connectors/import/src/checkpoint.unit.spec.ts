import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointPath, readCheckpoint, writeCheckpoint, type ImportCheckpoint } from './checkpoint';

describe('import checkpoints', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verity-import-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const checkpoint: ImportCheckpoint = {
    fileId: '0123456789abcdef',
    type: 'inventory.ReceiveStock',
    tenant: 'acme',
    total: 10,
    done: 4,
    counts: { imported: 3, repeated: 0, rejected: 1, invalid: 0, pending: 0 },
    report: 'stock.csv.rejected.ndjson',
    reportBytes: 120,
    updatedAt: '2026-12-02T12:00:00.000Z',
  };

  it('reads back what was written, under .../<file id>.json, leaving nothing aside', async () => {
    const path = checkpointPath(join(dir, 'imports'), checkpoint.fileId);
    expect(path).toBe(join(dir, 'imports', '0123456789abcdef.json'));
    expect(await readCheckpoint(path)).toBeUndefined();
    await writeCheckpoint(path, checkpoint);
    await writeCheckpoint(path, { ...checkpoint, done: 9 });
    expect(await readCheckpoint(path)).toEqual({ ...checkpoint, done: 9 });
    expect(await readdir(join(dir, 'imports'))).toEqual(['0123456789abcdef.json']);
  });

  it('refuses a file that is not a checkpoint rather than start again silently', async () => {
    const path = join(dir, 'x.json');
    await writeFile(path, '{"done": "many"}');
    await expect(readCheckpoint(path)).rejects.toThrow();
  });
});
