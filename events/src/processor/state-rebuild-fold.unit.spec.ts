import type { Decider, DomainCommand, DomainEvent, ChainedEventMetadata } from '@verity/core';
import { snapshotBatches } from './state-rebuild-batches';
import {
  StateAheadOfLogError,
  StreamFolds,
  StreamVersionGapError,
  toDomainEvent,
  type LoggedEvent,
} from './state-rebuild-fold';
import type { RememberedCommand, StreamSnapshot } from './stream-snapshot';

// A counter whose events carry `units`; it records the types it saw to show the short names.
const counter: Decider<unknown, DomainCommand, DomainEvent> = {
  initialState: () => ({ units: 0, seen: [] }),
  decide: () => [],
  evolve: (state, event) => {
    const s = state as { units: number; seen: string[] };
    return { units: s.units + Number(event.data.units), seen: [...s.seen, event.type] };
  },
};

function logged(
  streamId: string,
  version: number,
  units: number,
  partition = 1,
  offset = String(version),
): LoggedEvent {
  return {
    partition,
    offset,
    fullName: 'verity.upcasttest.ThingsCounted',
    data: { units },
    metadata: { subject: streamId, streamVersion: version, hash: `h${streamId}${version}` } as ChainedEventMetadata,
  };
}

const reply = (commandId: string): RememberedCommand => ({
  commandId,
  fingerprint: 'f',
  at: '2026-05-01T12:00:00.000Z',
  version: 1,
});

describe('state rebuild folding', () => {
  it('names a domain event by the last segment of its Avro full name', () => {
    expect(toDomainEvent('verity.inventory.StockReceived', { sku: 'A' })).toEqual({
      type: 'StockReceived',
      data: { sku: 'A' },
    });
  });

  it('folds each stream in log order and keeps its partition, version and last hash', () => {
    const folds = new StreamFolds(counter);
    folds.apply(logged('acme/a', 1, 24));
    folds.apply(logged('acme/b', 1, 1, 2));
    folds.apply(logged('acme/a', 2, -15));

    expect(folds.size).toBe(2);
    expect(folds.events).toBe(3);
    expect(folds.snapshots(new Map(), () => 0)).toEqual([
      {
        partition: 1,
        snapshot: {
          streamId: 'acme/a',
          version: 2,
          state: { units: 9, seen: ['ThingsCounted', 'ThingsCounted'] },
          lastHash: 'hacme/a2',
          sequence: 1,
          recent: [],
        },
      },
      {
        partition: 2,
        snapshot: {
          streamId: 'acme/b',
          version: 1,
          state: { units: 1, seen: ['ThingsCounted'] },
          lastHash: 'hacme/b1',
          sequence: 1,
          recent: [],
        },
      },
    ]);
  });

  it.each([
    ['a stream that does not start at version 1', [2], 1, 2],
    ['a missing version', [1, 3], 2, 3],
    ['a duplicate version', [1, 1], 2, 1],
  ])('refuses %s', (_, versions, expected, actual) => {
    const apply = () => {
      const folds = new StreamFolds(counter);
      versions.forEach((v, i) => folds.apply(logged('acme/a', v, 1, 0, String(10 + i))));
    };
    expect(apply).toThrow(StreamVersionGapError);
    expect(apply).toThrow(`expected version ${expected}, found ${actual}`);
  });

  it('supersedes the current snapshots and carries their recent replies over', () => {
    const folds = new StreamFolds(counter);
    folds.apply(logged('acme/a', 1, 24));
    const current = new Map<string, StreamSnapshot>([
      [
        'acme/a',
        {
          streamId: 'acme/a',
          version: 1,
          state: { dozens: 2 },
          lastHash: 'hacme/a1',
          sequence: 7,
          recent: [reply('c1')],
        },
      ],
      // Only rejected commands: no events, but its replies must still answer repeats.
      [
        'acme/rejected',
        {
          streamId: 'acme/rejected',
          version: 0,
          state: { dozens: 0 },
          lastHash: '',
          sequence: 3,
          recent: [reply('c2')],
        },
      ],
    ]);

    expect(folds.snapshots(current, (streamId) => (streamId === 'acme/rejected' ? 2 : -1))).toEqual([
      {
        partition: 1,
        snapshot: {
          streamId: 'acme/a',
          version: 1,
          state: { units: 24, seen: ['ThingsCounted'] },
          lastHash: 'hacme/a1',
          sequence: 8,
          recent: [reply('c1')],
        },
      },
      {
        partition: 2,
        snapshot: {
          streamId: 'acme/rejected',
          version: 0,
          state: { units: 0, seen: [] },
          lastHash: '',
          sequence: 4,
          recent: [reply('c2')],
        },
      },
    ]);
  });

  it('refuses to roll back a stream whose snapshot has seen more events than the log holds', () => {
    const folds = new StreamFolds(counter);
    folds.apply(logged('acme/a', 1, 24));
    const ahead = new Map<string, StreamSnapshot>([
      ['acme/a', { streamId: 'acme/a', version: 2, state: {}, lastHash: 'x', sequence: 2, recent: [] }],
    ]);
    expect(() => folds.snapshots(ahead, () => 0)).toThrow(StateAheadOfLogError);
  });
});

describe('state rebuild transaction batches', () => {
  const snapshot = (streamId: string, partition: number) => ({
    partition,
    snapshot: { streamId, version: 1, state: { pad: 'x'.repeat(100) }, lastHash: '', sequence: 1, recent: [] },
  });

  it('writes JSON snapshots keyed by stream id to their partition, in groups within the byte bound', () => {
    const snapshots = [snapshot('acme/a', 0), snapshot('acme/b', 1), snapshot('acme/c', 2)];
    const size = Buffer.byteLength(JSON.stringify(snapshots[0]!.snapshot));
    const batches = snapshotBatches(snapshots, size * 2);

    expect(batches.map((b) => b.map((m) => m.key))).toEqual([['acme/a', 'acme/b'], ['acme/c']]);
    expect(batches[0]![1]).toEqual({
      key: 'acme/b',
      partition: 1,
      value: JSON.stringify(snapshots[1]!.snapshot),
      headers: { verity_sequence: '1' },
    });
    expect(snapshotBatches(snapshots).length).toBe(1);
  });

  it('gives an oversized snapshot a group of its own, and nothing to write no group', () => {
    expect(snapshotBatches([snapshot('acme/a', 0), snapshot('acme/b', 0)], 10).map((b) => b.length)).toEqual([1, 1]);
    expect(snapshotBatches([])).toEqual([]);
  });
});
