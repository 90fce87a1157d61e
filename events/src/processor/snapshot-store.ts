import { ClassicLevel } from 'classic-level';
import { LRUCache } from 'lru-cache';
import type { ReadRecord } from '../partition-reader';
import { DUE_HEADER, parseSnapshot, type DueAt, type StreamSnapshot } from './stream-snapshot';

export type { DueAt } from './stream-snapshot';

/** A stream indexed as due at a time by one of its context's timers. */
export interface DueEntry {
  partition: number;
  dueAt: number;
  timer: number;
  streamId: string;
}

export interface SnapshotStoreOptions {
  /** The folder of the LevelDB database; one per processor instance and context. */
  path: string;
  /**
   * How many bytes of snapshots (as JSON) are kept decoded in memory, the most recently used:
   * bounded by size, not count, since a busy stream's remembered commands make it larger.
   */
  cacheBytes: number;
  /** The context's timers' due times, by timer index: written snapshots are indexed by them. */
  timers: readonly DueAt[];
}

/** Snapshots written to the store, with the state partition's offset they bring it to. */
export interface StoreWrite {
  partition: number;
  snapshots: readonly StreamSnapshot[];
  /** Every state record of the partition before this offset is in the store after the write. */
  checkpoint?: bigint;
}

const SNAPSHOT = 's:';
const CHECKPOINT = 'c:';
const DUE = 'd:';
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const dueKey = (e: DueEntry) => `${DUE}${pad(e.partition, 5)}:${pad(e.dueAt, 15)}:${e.timer}:${e.streamId}`;

function parseDueKey(key: string): DueEntry {
  const [partition, dueAt, timer, ...stream] = key.slice(DUE.length).split(':');
  return { partition: Number(partition), dueAt: Number(dueAt), timer: Number(timer), streamId: stream.join(':') };
}

/**
 * The snapshots of the streams a processor instance owns, kept on local disk as Kafka Streams
 * keeps a state store: restored from the compacted state topic (the changelog) only for owned
 * partitions, from where the store left off (a checkpoint per partition), with a bounded cache
 * of decoded snapshots in front. Memory and restart time then depend on what is hot and what
 * changed since the last checkpoint, not on the number of streams ever written. Streams are
 * also indexed by their timers' due times, so a timer check reads what is due and no more.
 */
export class SnapshotStore {
  private readonly db: ClassicLevel<string, Buffer>;
  private readonly cache: LRUCache<string, StreamSnapshot>;
  /** Written and not yet on disk: read before the disk. */
  private readonly pending = new Map<string, StreamSnapshot>();
  /** Disk writes in order: each starts after the one before. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SnapshotStoreOptions) {
    this.db = new ClassicLevel<string, Buffer>(options.path, { valueEncoding: 'buffer' });
    this.cache = new LRUCache({ maxSize: options.cacheBytes });
  }

  async open(): Promise<void> {
    await this.db.open({ createIfMissing: true });
  }

  async close(): Promise<void> {
    await this.writing;
    await this.db.close();
  }

  /** Bytes of snapshots held decoded in memory (as JSON), at most `cacheBytes`. */
  get cachedBytes(): number {
    return this.cache.calculatedSize;
  }

  /** Where each partition's restore resumes: 0 for one never restored here. */
  async checkpoints(partitions: readonly number[]): Promise<Map<number, bigint>> {
    await this.writing;
    const stored = await this.db.getMany(partitions.map((p) => `${CHECKPOINT}${p}`));
    return new Map(partitions.map((p, i) => [p, stored[i] ? BigInt(stored[i].toString()) : 0n]));
  }

  /** The latest snapshot of each stream that has one. */
  async load(streamIds: Iterable<string>): Promise<Map<string, StreamSnapshot>> {
    const found = new Map<string, StreamSnapshot>();
    const missing: string[] = [];
    for (const streamId of new Set(streamIds)) {
      const held = this.pending.get(streamId) ?? this.cache.get(streamId);
      if (held) found.set(streamId, held);
      else missing.push(streamId);
    }
    if (missing.length === 0) return found;
    const stored = await this.db.getMany(missing.map((id) => `${SNAPSHOT}${id}`));
    missing.forEach((streamId, i) => {
      // A write that came in while the disk was read is newer than what it read.
      const newer = this.pending.get(streamId) ?? this.cache.get(streamId);
      const value = stored[i];
      if (newer) found.set(streamId, newer);
      else if (value) {
        const snapshot = parseSnapshot(value);
        this.cache.set(streamId, snapshot, { size: value.length });
        found.set(streamId, snapshot);
      }
    });
    return found;
  }

  /** Writes committed snapshots: readable at once, on disk when the promise resolves. */
  write(writes: readonly StoreWrite[]): Promise<void> {
    const operations: { type: 'put'; key: string; value: Buffer }[] = [];
    const written: StreamSnapshot[] = [];
    for (const { partition, snapshots, checkpoint } of writes) {
      for (const snapshot of snapshots) {
        const value = Buffer.from(JSON.stringify(snapshot));
        this.pending.set(snapshot.streamId, snapshot);
        this.cache.set(snapshot.streamId, snapshot, { size: value.length });
        written.push(snapshot);
        operations.push({ type: 'put', key: `${SNAPSHOT}${snapshot.streamId}`, value });
        for (const entry of this.dueEntries(partition, snapshot))
          operations.push({ type: 'put', key: dueKey(entry), value: EMPTY });
      }
      if (checkpoint !== undefined)
        operations.push({ type: 'put', key: `${CHECKPOINT}${partition}`, value: Buffer.from(checkpoint.toString()) });
    }
    return this.enqueue(async () => {
      await this.db.batch(operations);
      for (const snapshot of written)
        if (this.pending.get(snapshot.streamId) === snapshot) this.pending.delete(snapshot.streamId);
    });
  }

  /**
   * Applies state records read from the changelog, as they are (the latest wins; they are
   * read in log order after the checkpoint), and moves each partition's checkpoint past them.
   */
  restore(records: readonly ReadRecord[]): Promise<void> {
    const operations: { type: 'put'; key: string; value: Buffer }[] = [];
    const checkpoints = new Map<number, bigint>();
    for (const record of records) {
      this.cache.delete(record.key);
      operations.push({ type: 'put', key: `${SNAPSHOT}${record.key}`, value: record.value });
      for (const entry of this.restoredDueEntries(record))
        operations.push({ type: 'put', key: dueKey(entry), value: EMPTY });
      checkpoints.set(record.partition, record.offset + 1n);
    }
    for (const [partition, offset] of checkpoints)
      operations.push({ type: 'put', key: `${CHECKPOINT}${partition}`, value: Buffer.from(offset.toString()) });
    return this.enqueue(() => this.db.batch(operations));
  }

  /** Moves a partition's checkpoint to where a completed restore stopped (past trailing transaction markers). */
  checkpoint(partition: number, offset: bigint): Promise<void> {
    return this.enqueue(() => this.db.put(`${CHECKPOINT}${partition}`, Buffer.from(offset.toString())));
  }

  /** The streams of a partition indexed as due at `now` or before, earliest first. */
  async due(partition: number, now: Date, limit: number): Promise<DueEntry[]> {
    await this.writing;
    const keys = await this.db
      .keys({
        gte: `${DUE}${pad(partition, 5)}:`,
        lte: `${DUE}${pad(partition, 5)}:${pad(now.getTime(), 15)}:~`,
        limit,
      })
      .all();
    return keys.map(parseDueKey);
  }

  /** Removes index entries that no longer hold: the stream's state moved its due time. */
  forgetDue(entries: readonly DueEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.enqueue(() => this.db.batch(entries.map((e) => ({ type: 'del' as const, key: dueKey(e) }))));
  }

  /** A restored record's due entries: from its header when it has one, else from its state. */
  private restoredDueEntries(record: ReadRecord): DueEntry[] {
    if (this.options.timers.length === 0) return [];
    const header = record.headers[DUE_HEADER];
    if (!header) return this.dueEntries(record.partition, parseSnapshot(record.value));
    const dueTimes = JSON.parse(header.toString()) as (number | null)[];
    return dueTimes.flatMap((dueAt, timer) =>
      dueAt === null ? [] : [{ partition: record.partition, dueAt, timer, streamId: record.key }],
    );
  }

  private dueEntries(partition: number, snapshot: StreamSnapshot): DueEntry[] {
    const entries: DueEntry[] = [];
    this.options.timers.forEach((dueAt, timer) => {
      const at = dueAt(snapshot.state);
      if (at) entries.push({ partition, dueAt: at.getTime(), timer, streamId: snapshot.streamId });
    });
    return entries;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.writing.then(write);
    // A failed write fails its caller; the ones after it still run.
    this.writing = next.catch(() => undefined);
    return next;
  }
}

const EMPTY = Buffer.alloc(0);
