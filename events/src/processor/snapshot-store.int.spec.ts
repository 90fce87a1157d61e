import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotStore, type DueAt } from './snapshot-store';
import type { StreamSnapshot } from './stream-snapshot';

/** A hold released at `until`: the timer is due then. */
const releaseAt: DueAt = (state) => {
  const until = (state as { until?: string }).until;
  return until ? new Date(until) : null;
};

const snapshot = (streamId: string, sequence: number, state: object = {}): StreamSnapshot => ({
  streamId,
  version: sequence,
  state,
  lastHash: `h${sequence}`,
  sequence,
  recent: [],
});

const record = (partition: number, offset: bigint, value: StreamSnapshot) => ({
  partition,
  offset,
  key: value.streamId,
  value: Buffer.from(JSON.stringify(value)),
  headers: {},
  timestamp: 0,
});

describe('the local snapshot store (LevelDB on disk)', () => {
  let folder: string;
  const opened: SnapshotStore[] = [];
  async function open(cacheBytes = 1 << 20): Promise<SnapshotStore> {
    const store = new SnapshotStore({ path: join(folder, 'store'), cacheBytes, timers: [releaseAt] });
    await store.open();
    opened.push(store);
    return store;
  }
  async function reopen(store: SnapshotStore, cacheBytes?: number): Promise<SnapshotStore> {
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    return open(cacheBytes);
  }

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'verity-store-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads a written snapshot at once, and from disk after a restart with its checkpoint', async () => {
    const store = await open();
    const written = store.write([{ partition: 2, snapshots: [snapshot('acme/a', 3)], checkpoint: 41n }]);
    expect((await store.load(['acme/a', 'acme/none'])).get('acme/a')?.sequence).toBe(3);
    await written;

    const again = await reopen(store);
    expect([...(await again.load(['acme/a', 'acme/none'])).keys()]).toEqual(['acme/a']);
    expect(await again.checkpoints([2, 5])).toEqual(
      new Map([
        [2, 41n],
        [5, 0n],
      ]),
    );
  });

  it('keeps in memory only as many bytes as it is given, and reads the rest from disk', async () => {
    const store = await open(2_000);
    await store.write([
      { partition: 0, snapshots: Array.from({ length: 200 }, (_, i) => snapshot(`acme/s${i}`, i + 1)) },
    ]);
    const loaded = await store.load(Array.from({ length: 200 }, (_, i) => `acme/s${i}`));
    expect(loaded.size).toBe(200);
    expect(loaded.get('acme/s0')?.sequence).toBe(1);
    expect(store.cachedBytes).toBeGreaterThan(0);
    expect(store.cachedBytes).toBeLessThanOrEqual(2_000);
  });

  it('applies restored records over what it held and moves each partition checkpoint past them', async () => {
    const store = await open();
    await store.write([{ partition: 1, snapshots: [snapshot('acme/a', 1)] }]);
    expect((await store.load(['acme/a'])).get('acme/a')?.sequence).toBe(1);
    await store.restore([
      record(1, 7n, snapshot('acme/a', 2)),
      record(1, 9n, snapshot('acme/a', 4)),
      record(3, 2n, snapshot('acme/b', 1)),
    ]);
    expect((await store.load(['acme/a'])).get('acme/a')?.sequence).toBe(4);
    expect(await store.checkpoints([1, 3])).toEqual(
      new Map([
        [1, 10n],
        [3, 3n],
      ]),
    );
    await store.checkpoint(1, 12n);
    expect((await store.checkpoints([1])).get(1)).toBe(12n);
  });

  it('indexes streams by due time per partition, earliest first, until told an entry no longer holds', async () => {
    const store = await open();
    const now = new Date('2026-05-01T12:00:00.000Z');
    await store.write([
      { partition: 0, snapshots: [snapshot('acme/late', 1, { until: '2026-05-01T11:00:00.000Z' })] },
      { partition: 0, snapshots: [snapshot('acme/early', 1, { until: '2026-05-01T10:00:00.000Z' })] },
      { partition: 0, snapshots: [snapshot('acme/future', 1, { until: '2026-05-01T12:00:00.001Z' })] },
      { partition: 0, snapshots: [snapshot('acme/none', 1)] },
      { partition: 1, snapshots: [snapshot('acme/other', 1, { until: '2026-05-01T09:00:00.000Z' })] },
    ]);
    const due = await store.due(0, now, 10);
    expect(due.map((e) => e.streamId)).toEqual(['acme/early', 'acme/late']);
    expect(due[0]).toEqual({
      partition: 0,
      dueAt: Date.parse('2026-05-01T10:00:00.000Z'),
      timer: 0,
      streamId: 'acme/early',
    });
    expect((await store.due(0, now, 1)).map((e) => e.streamId)).toEqual(['acme/early']);

    // A new state adds its own entry; the old one stays until the check finds it stale.
    await store.write([
      { partition: 0, snapshots: [snapshot('acme/early', 2, { until: '2026-05-02T00:00:00.000Z' })] },
    ]);
    expect((await store.due(0, now, 10)).map((e) => e.streamId)).toEqual(['acme/early', 'acme/late']);
    await store.forgetDue([due[0]!]);
    expect((await store.due(0, now, 10)).map((e) => e.streamId)).toEqual(['acme/late']);
  });

  it('indexes restored records by the due times in their header, without reading their state', async () => {
    const store = await open();
    const dueAt = Date.parse('2026-05-01T10:00:00.000Z');
    await store.restore([
      { ...record(4, 0n, snapshot('acme/headed', 1)), headers: { verity_due: Buffer.from(JSON.stringify([dueAt])) } },
      { ...record(4, 1n, snapshot('acme/none', 1)), headers: { verity_due: Buffer.from('[null]') } },
    ]);
    expect(await store.due(4, new Date('2026-05-01T12:00:00.000Z'), 10)).toEqual([
      { partition: 4, dueAt, timer: 0, streamId: 'acme/headed' },
    ]);
  });

  it('indexes restored records by due time too', async () => {
    const store = await open();
    await store.restore([record(4, 0n, snapshot('acme/held', 1, { until: '2026-05-01T10:00:00.000Z' }))]);
    expect((await store.due(4, new Date('2026-05-01T12:00:00.000Z'), 10)).map((e) => e.streamId)).toEqual([
      'acme/held',
    ]);
  });
});
