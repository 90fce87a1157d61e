import type { CommandEnvelope, CommandReply } from '@verity/core';
import { auditHistory } from './audit/stream-audit';
import { readStream } from './audit/stream-reader';
import { stateAt } from './audit/stream-state';
import { AvroSerde } from './avro-serde';
import { PartitionReader } from './partition-reader';
import { ProcessorsRunningError, rebuildStates, type StateRebuildProgress } from './processor/state-rebuild';
import { parseSnapshot, rememberedOf, type StreamSnapshot } from './processor/stream-snapshot';
import { testCommand } from './testing/test-stack';
import { thingsStack } from './testing/things-stack';
import {
  THING_TOTALS_TABLE,
  thingTotalsProjection,
  type ThingTotalRow,
} from './testing/upcasting/thing-totals-projection';
import {
  THINGS_CONTEXT,
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV1,
  thingsContextV2,
} from './testing/upcasting/things-context';

/**
 * The proof of upcasting, on the real Kafka, registry and PostgreSQL: a v1 event is
 * appended; v2 of the event arrives with an upcaster; the state is rebuilt, and the processor
 * and a projection built from offset 0 both read the old event in the v2 shape.
 */
describe('an old event version through the real runtimes after an upcaster is added', () => {
  const stack = thingsStack('upcasting', 't');
  const { kafka, brokers, db, schema, topics, prefix, logger } = stack;
  const groupId = `${prefix}.${THINGS_CONTEXT}.command-processor`;
  const serdeV1 = new AvroSerde(stack.registry, thingsCatalog(1));
  const serdeV2 = new AvroSerde(stack.registry, thingsCatalog(2), [dozensToUnits]);

  const streamId = 'acme/bolts';
  let firstCommand: CommandEnvelope;
  let firstReply: CommandReply;

  const command = (type: string, payload: Record<string, unknown>): CommandEnvelope =>
    testCommand(`${THINGS_CONTEXT}.${type}`, streamId, payload);
  const rebuild = (onProgress?: (p: StateRebuildProgress) => void) =>
    rebuildStates({ kafka, serde: serdeV2, context: thingsContextV2, topics, groupId, logger, onProgress });

  afterAll(async () => {
    await stack.remove();
  });

  it('phase 1: the v1 deployment appends ThingsCounted v1 (2 dozens)', async () => {
    const v1 = await stack.start(stack.processor(thingsContextV1, serdeV1));
    const client = await stack.client();
    firstCommand = command('CountThings', { thing: 'bolts', dozens: 2 });
    firstReply = await client.send(firstCommand);
    expect(firstReply).toMatchObject({ status: 'accepted', version: 1 });

    const [event] = await readStream({ kafka, topic: topics.events, streamId });
    expect(event!.metadata).toMatchObject({ type: THINGS_COUNTED, streamVersion: 1, schemaVersion: 1 });
    expect(await serdeV1.decode(event!.value)).toMatchObject({
      writerVersion: 1,
      value: { thing: 'bolts', dozens: 2 },
    });

    // A rebuild would race a running processor for the state topic.
    await expect(rebuild()).rejects.toThrow(ProcessorsRunningError);
    await expect(rebuild()).rejects.toMatchObject({ code: 'processors_running' });
    await stack.stop(v1);
  });

  it('phase 2: registers v2 and rebuilds the state in units from the v1 event, keeping the replies', async () => {
    await serdeV2.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    const progress: StateRebuildProgress[] = [];
    expect(await rebuild((p) => progress.push(p))).toEqual({ streams: 1, events: 1, partitions: 3 });
    expect(progress.at(-1)).toMatchObject({ offset: progress.at(-1)!.end, streams: 1 });

    const [event] = await readStream({ kafka, topic: topics.events, streamId });
    // The state topic as a processor restoring its store reads it: the last record of the stream wins.
    const latest = new Map<string, StreamSnapshot>();
    const reader = new PartitionReader({
      brokers,
      topic: topics.state,
      clientId: `${prefix}.test-state`,
      apply: (records) => {
        for (const record of records) latest.set(record.key, parseSnapshot(record.value));
        return Promise.resolve();
      },
    });
    await reader.start(new Map([0, 1, 2].map((p) => [p, 0n])));
    try {
      await reader.catchUp();
      // The old snapshot (sequence 1, in dozens) is superseded by the rebuilt one.
      expect(latest.get(streamId)).toEqual({
        streamId,
        version: 1,
        state: { units: 24 },
        lastHash: event!.metadata.hash,
        sequence: 2,
        recent: [rememberedOf(firstReply, firstCommand.metadata.receivedAt)],
      });
    } finally {
      await reader.stop();
    }
  });

  it('the v2 processor decides on the restored state: 24 units allow removing 15, not 10 more', async () => {
    await stack.start(stack.processor(thingsContextV2, serdeV2));
    expect(await (await stack.client()).send(command('RemoveThings', { thing: 'bolts', units: 15 }))).toMatchObject({
      status: 'accepted',
      version: 2,
    });
    expect(await (await stack.client()).send(command('RemoveThings', { thing: 'bolts', units: 10 }))).toMatchObject({
      status: 'rejected',
      version: 2,
      code: 'insufficient_things',
      details: { available: 9 },
    });
    // The rebuilt snapshot kept the idempotency memory: the v1 command is answered, not redone.
    expect(await (await stack.client()).send(firstCommand)).toEqual(firstReply);

    const events = await readStream({ kafka, topic: topics.events, streamId });
    expect(await Promise.all(events.map((e) => serdeV2.decode(e.value)))).toEqual([
      expect.objectContaining({
        fullName: THINGS_COUNTED,
        writerVersion: 1,
        value: { thing: 'bolts', units: 24, packaging: 'dozen' },
      }),
      expect.objectContaining({ fullName: THINGS_REMOVED, writerVersion: 1, value: { thing: 'bolts', units: 15 } }),
    ]);
  });

  it('time travel folds the v1 event through the upcaster: 24 units at version 1, 9 at version 2', async () => {
    const history = await auditHistory({ kafka, topic: topics.events, streamId, serde: serdeV2 });
    expect(history[0]!.payload).toEqual({ thing: 'bolts', units: 24, packaging: 'dozen' });
    expect(stateAt(thingsContextV2.decider, history, { version: 1 })?.state).toEqual({ units: 24 });
    expect(stateAt(thingsContextV2.decider, history, { at: history[0]!.time })?.state).toEqual({ units: 24 });
    expect(stateAt(thingsContextV2.decider, history, { latest: true })).toMatchObject({
      version: 2,
      state: { units: 9 },
    });
  });

  it('a projection rebuilt from offset 0 in its own schema reads the v1 event as v2: 24 - 15 = 9 units', async () => {
    await stack.start(stack.projector(thingTotalsProjection, serdeV2));
    const deadline = Date.now() + 30_000;
    let row: ThingTotalRow | undefined;
    while (row?.version !== 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      row = await db
        .withSchema(schema)
        .table(THING_TOTALS_TABLE)
        .where({ tenant: 'acme', thing: 'bolts' })
        .first<ThingTotalRow | undefined>();
    }
    expect(row).toEqual({ tenant: 'acme', thing: 'bolts', units: '9', packaging: 'dozen', version: 2 });
  });
});
