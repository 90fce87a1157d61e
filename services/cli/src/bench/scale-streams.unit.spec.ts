import { eventHash, fromHeaders, unchained } from '@verity/core';
import { inventoryDecider, type InventoryEvent } from '@verity/domain';
import { streamPartition, type StreamSnapshot } from '@verity/events';
import {
  EXPIRY_SPREAD_MS,
  LOAD_ACTOR,
  expiryOf,
  firstStreamOfEachPartition,
  loadBatch,
  loadRepliesOf,
  loadedStream,
  pastRefusal,
  receiveOnRandomStream,
  type LoadBatchContext,
} from './scale-streams';

const at = new Date('2026-12-02T12:00:00.000Z');
const PARTITIONS = 4;

function context(offsets = Array.from({ length: PARTITIONS }, () => 0n)): LoadBatchContext {
  return {
    tenants: 3,
    partitions: PARTITIONS,
    topics: { commands: 'x.inventory.commands', events: 'x.inventory.events' },
    at,
    // The payload as JSON stands for its Avro bytes: the hash covers whatever the bytes are.
    encode: (_fullName, data) => ({ value: Buffer.from(JSON.stringify(data)), schemaVersion: 1 }),
    offsets,
  };
}

const snapshotOf = (value: Buffer | string): StreamSnapshot => JSON.parse(value.toString()) as StreamSnapshot;

describe('scale streams', () => {
  it('spreads the streams over the tenants in turn, each with its own SKUs', () => {
    expect([0, 1, 2, 3, 4].map((n) => loadedStream(n, 3).streamId)).toEqual([
      'tenant-0/SKU-0',
      'tenant-1/SKU-0',
      'tenant-2/SKU-0',
      'tenant-0/SKU-1',
      'tenant-1/SKU-1',
    ]);
  });

  it('gives each stream one StockReceived, chained and headed as the processor writes it, on its partition', () => {
    const batch = loadBatch(0, 50, context());
    expect(batch.events).toHaveLength(50);
    for (const record of batch.events) {
      const metadata = fromHeaders(record.headers);
      expect(record.partition).toBe(streamPartition(record.key, PARTITIONS));
      expect(metadata).toMatchObject({
        type: 'verity.inventory.StockReceived',
        subject: record.key,
        streamVersion: 1,
        actor: LOAD_ACTOR,
        prevHash: '',
      });
      expect(metadata.hash).toBe(eventHash('', unchained(metadata), record.value as Buffer));
    }
  });

  it("snapshots each stream at version 1 with the decider's state, the event's hash and its command remembered", () => {
    const batch = loadBatch(0, 10, context());
    const eventOf = new Map(batch.events.map((e) => [e.key, e]));
    for (const record of batch.states) {
      const snapshot = snapshotOf(record.value);
      const event = eventOf.get(snapshot.streamId)!;
      const data = JSON.parse((event.value as Buffer).toString()) as {
        sku: string;
        location: string;
        quantity: number;
      };
      const received: InventoryEvent = { type: 'StockReceived', data };
      expect(record.partition).toBe(event.partition);
      expect(snapshot).toMatchObject({
        version: 1,
        sequence: 1,
        lastHash: fromHeaders(event.headers).hash,
        state: inventoryDecider.evolve(inventoryDecider.initialState(), received),
        recent: [{ commandId: fromHeaders(event.headers).causationId, version: 1 }],
      });
    }
  });

  it('gives every 100th stream a reservation on top: two chained events, version 2, its expiry reported', () => {
    const batch = loadBatch(0, 100, context());
    const { streamId } = loadedStream(99, 3);
    const [received, reserved] = batch.events.filter((e) => e.key === streamId).map((e) => fromHeaders(e.headers));
    expect(received!.streamVersion).toBe(1);
    expect(reserved).toMatchObject({
      type: 'verity.inventory.StockReserved',
      streamVersion: 2,
      prevHash: received!.hash,
    });
    const snapshot = snapshotOf(batch.states.find((s) => s.key === streamId)!.value);
    expect(snapshot).toMatchObject({ version: 2, sequence: 2, lastHash: reserved!.hash });
    expect(snapshot.recent.map((r) => r.commandId)).toEqual(['scale-99-1', 'scale-99-2']);
    expect(batch.expiries).toEqual([expiryOf(99, at).getTime()]);
    expect(batch.replies).toHaveLength(loadRepliesOf(100));
  });

  it("numbers the events from each partition's next offset, which it moves on, as the replies say", () => {
    const offsets = [5n, 0n, 7n, 2n];
    const batch = loadBatch(0, 40, context(offsets));
    const counts = [0, 1, 2, 3].map((p) => batch.events.filter((e) => e.partition === p).length);
    expect(offsets).toEqual([
      5n + BigInt(counts[0]!),
      BigInt(counts[1]!),
      7n + BigInt(counts[2]!),
      2n + BigInt(counts[3]!),
    ]);
    const replies = batch.replies.map(
      (r) => JSON.parse(r.value as string) as { events: Array<{ partition: number; offset: string }> },
    );
    const onPartition0 = replies
      .flatMap((r) => r.events)
      .filter((e) => e.partition === 0)
      .map((e) => e.offset);
    expect(onPartition0).toEqual(Array.from({ length: counts[0]! }, (_, i) => String(5 + i)));
  });

  it('spreads reservations from before the load to after it', () => {
    const expiries = Array.from({ length: 50 }, (_, k) => expiryOf(k * 100 + 99, at).getTime() - at.getTime());
    expect(Math.min(...expiries)).toBe(-EXPIRY_SPREAD_MS.before);
    expect(Math.max(...expiries)).toBeLessThanOrEqual(EXPIRY_SPREAD_MS.after);
    expect(expiries.filter((e) => e <= 0).length).toBeGreaterThan(10);
    expect(expiries.filter((e) => e > 0).length).toBeGreaterThan(10);
  });

  it('finds the first stream of each partition, for a command that shows the partition deciding', () => {
    const firsts = firstStreamOfEachPartition({ streams: 1000, tenants: 3 }, PARTITIONS);
    const partitions = firsts.map((n) => streamPartition(loadedStream(n, 3).streamId, PARTITIONS));
    expect([...partitions].sort()).toEqual([0, 1, 2, 3]);
    for (const [i, n] of firsts.entries())
      for (let m = 0; m < n; m++)
        expect(streamPartition(loadedStream(m, 3).streamId, PARTITIONS)).not.toBe(partitions[i]);
    expect(firstStreamOfEachPartition({ streams: 1, tenants: 1 }, PARTITIONS)).toEqual([0]);
  });

  it('sends the writes to loaded streams picked at random', () => {
    expect(receiveOnRandomStream({ streams: 1000, tenants: 10 }, () => 0.4567)).toEqual({
      tenant: 'tenant-6',
      payload: { sku: 'SKU-45', location: 'berlin', quantity: 1 },
    });
    expect(receiveOnRandomStream({ streams: 1000, tenants: 10 }, () => 0.9999).payload.sku).toBe('SKU-99');
  });

  it('makes past outcomes refusals on the loaded streams, at their versions', () => {
    expect(pastRefusal(99, { streams: 1000, tenants: 3 })).toMatchObject({
      status: 'rejected',
      commandId: 'scale-past-99',
      streamId: loadedStream(99, 3).streamId,
      version: 2,
      code: 'insufficient_stock',
      details: { available: 99 },
    });
    expect(pastRefusal(1005, { streams: 1000, tenants: 3 })).toMatchObject({
      streamId: loadedStream(5, 3).streamId,
      version: 1,
    });
  });
});
