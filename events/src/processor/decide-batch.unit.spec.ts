import {
  commandFingerprint,
  encodeConsistencyToken,
  eventHash,
  unchained,
  type CommandEnvelope,
  type CommandReply,
  type DomainCommand,
  type DomainCommandMetadata,
} from '@verity/core';
import {
  THINGS_CONTEXT,
  THINGS_COUNTED,
  THINGS_REMOVED,
  thingsCatalog,
  thingsContextV2,
} from '../testing/upcasting/things-context';
import { frame, unframe } from '../wire-format';
import { readCommandRecord, type CommandRecord } from './command-record';
import {
  decideBatch,
  settleBatch,
  type BatchInput,
  type DecidedBatch,
  type DecidedEvent,
  type EventEncoder,
} from './decide-batch';
import { PartitionLane } from './partition-lane';
import { rememberedOf, type StreamSnapshot } from './stream-snapshot';

const COMMANDS = 'test.upcasttest.commands';
const EVENTS = 'test.upcasttest.events';
const PARTITION = 2;
const SCHEMA_ID = 7;
const RECEIVED_AT = '2025-03-01T10:00:00.000Z';

const catalog = thingsCatalog(2);
const encode: EventEncoder = (fullName, data) => {
  const latest = catalog.latest(fullName);
  return { value: frame(SCHEMA_ID, latest.type.toBuffer(data)), schemaVersion: latest.version };
};
const payloadOf = (event: DecidedEvent): unknown =>
  catalog.latest(event.metadata.type).type.fromBuffer(unframe(event.value).body);

function envelope(
  commandId: string,
  type: 'CountThings' | 'RemoveThings',
  thing: string,
  units: number,
  extra: Partial<CommandEnvelope> = {},
): CommandEnvelope {
  return {
    commandId,
    type: `${THINGS_CONTEXT}.${type}`,
    streamId: `acme/${thing}`,
    payload: { thing, units },
    metadata: {
      tenant: 'acme',
      actor: 'alice',
      correlationId: `corr-${commandId}`,
      sourceSystem: 'api',
      sourceTimestamp: RECEIVED_AT,
      receivedAt: RECEIVED_AT,
    },
    ...extra,
  };
}

let offset = 100;
function record(value: string | object, headers: CommandRecord['headers'] = {}): CommandRecord {
  return {
    offset: String(offset++),
    key: Buffer.from('k'),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers,
  };
}

function decide(records: CommandRecord[], snapshots: StreamSnapshot[] = []): DecidedBatch {
  const input: BatchInput = {
    context: thingsContextV2,
    source: { topic: COMMANDS, partition: PARTITION },
    records: records.map(readCommandRecord),
    snapshots: new Map(snapshots.map((s) => [s.streamId, s])),
    encode,
    references: () => undefined,
    outcomeWindowMs: WINDOW_MS,
  };
  return decideBatch(input);
}

const settle = (decided: DecidedBatch, firstOffset = 40n) =>
  settleBatch(decided, { topic: EVENTS, partition: PARTITION, firstOffset });

const snapshot = (
  thing: string,
  version: number,
  units: number,
  rest: Partial<StreamSnapshot> = {},
): StreamSnapshot => ({
  streamId: `acme/${thing}`,
  version,
  state: { units },
  lastHash: `hash-of-${thing}-v${version}`,
  sequence: 9,
  recent: [],
  ...rest,
});

/** How long a stream answers a repeat with the first reply, in these tests. */
const WINDOW_MS = 60_000;

/** The reply of a command decided in an earlier batch, as the replies topic holds it. */
const storedReply = (command: CommandEnvelope, version: number): CommandReply => ({
  status: 'accepted',
  commandId: command.commandId,
  fingerprint: commandFingerprint(command),
  streamId: command.streamId,
  version,
  events: [{ type: THINGS_COUNTED, topic: EVENTS, partition: PARTITION, offset: '3' }],
  consistencyToken: encodeConsistencyToken({ topic: EVENTS, offsets: { [PARTITION]: '4' } }),
});

/** What a stream remembers of a reply. */
const remembered = (reply: CommandReply) => rememberedOf(reply, RECEIVED_AT);

describe('decideBatch', () => {
  it('decides an accepted command: a chained, encoded event; a reply with its offset; the stream one version on', () => {
    const command = envelope('c1', 'CountThings', 'bolts', 5);
    const decided = decide([record(command)]);

    expect(decided.deadLetters).toEqual([]);
    expect(decided.events).toHaveLength(1);
    const [event] = decided.events;
    expect(event!.metadata).toEqual({
      id: 'c1:0',
      type: THINGS_COUNTED,
      source: `/verity/${THINGS_CONTEXT}`,
      time: RECEIVED_AT,
      subject: 'acme/bolts',
      streamVersion: 1,
      schemaVersion: 2,
      tenant: 'acme',
      actor: 'alice',
      correlationId: 'corr-c1',
      causationId: 'c1',
      sourceSystem: 'api',
      sourceTimestamp: RECEIVED_AT,
      prevHash: '',
      hash: eventHash('', unchained(event!.metadata), event!.value),
    });
    expect(unframe(event!.value).schemaId).toBe(SCHEMA_ID);
    expect(payloadOf(event!)).toEqual({ thing: 'bolts', units: 5, packaging: 'unit' });

    const { replies, snapshots } = settle(decided, 40n);
    const reply: CommandReply = {
      status: 'accepted',
      commandId: 'c1',
      fingerprint: commandFingerprint(command),
      streamId: 'acme/bolts',
      version: 1,
      events: [{ type: THINGS_COUNTED, topic: EVENTS, partition: PARTITION, offset: '40' }],
      consistencyToken: encodeConsistencyToken({ topic: EVENTS, offsets: { [PARTITION]: '41' } }),
    };
    expect(replies).toEqual([reply]);
    expect(snapshots).toEqual([
      {
        streamId: 'acme/bolts',
        version: 1,
        state: { units: 5 },
        lastHash: event!.metadata.hash,
        sequence: 1,
        recent: [remembered(reply)],
      },
    ]);
  });

  it('rejects a command whose expectedVersion is not the stream version, with the current version, and writes no event', () => {
    const current = snapshot('bolts', 2, 7);
    const command = envelope('c2', 'CountThings', 'bolts', 1, { expectedVersion: 1 });
    const decided = decide([record(command)], [current]);

    expect(decided.events).toEqual([]);
    const { replies, snapshots } = settle(decided);
    const reply: CommandReply = {
      status: 'rejected',
      commandId: 'c2',
      fingerprint: commandFingerprint(command),
      streamId: 'acme/bolts',
      version: 2,
      code: 'version_conflict',
      reason: 'expected version 1, stream is at 2',
      details: { expectedVersion: 1 },
      sourceSystem: 'api',
    };
    expect(replies).toEqual([reply]);
    // A rejection is remembered too: the snapshot supersedes the current one, state unchanged.
    expect(snapshots).toEqual([{ ...current, sequence: 10, recent: [remembered(reply)] }]);
  });

  it('answers a command id the stream has seen with its stored reply and writes nothing else', () => {
    const original = envelope('c3', 'CountThings', 'bolts', 5);
    const stored = storedReply(original, 1);
    const decided = decide([record(original)], [snapshot('bolts', 1, 5, { recent: [remembered(stored)] })]);

    expect(decided.commands).toEqual([{ kind: 'repeat', streamId: 'acme/bolts', remembered: remembered(stored) }]);
    expect(decided.events).toEqual([]);
    expect(settle(decided)).toEqual({ replies: [stored], snapshots: [] });
  });

  it('answers the same id with another fingerprint with the stored reply, whose fingerprint tells the gateway idempotency_key_reused', () => {
    const original = envelope('c4', 'CountThings', 'bolts', 5);
    const stored = storedReply(original, 1);
    const reused = envelope('c4', 'CountThings', 'bolts', 6);
    const decided = decide([record(reused)], [snapshot('bolts', 1, 5, { recent: [remembered(stored)] })]);

    expect(decided.events).toEqual([]);
    const { replies, snapshots } = settle(decided);
    expect(replies).toEqual([stored]);
    expect(replies[0]!.fingerprint).not.toBe(commandFingerprint(reused));
    expect(snapshots).toEqual([]);
  });

  it('decides a repeat received after the outcome window as a new command', () => {
    const original = envelope('c7', 'CountThings', 'bolts', 5);
    const stored = { ...remembered(storedReply(original, 1)), at: '2026-01-01T00:00:00.000Z' };
    const late = envelope('c7', 'CountThings', 'bolts', 5);
    const withinAt = new Date(Date.parse(stored.at) + WINDOW_MS).toISOString();
    const afterAt = new Date(Date.parse(stored.at) + WINDOW_MS + 1).toISOString();
    const at = (e: CommandEnvelope, receivedAt: string) => ({ ...e, metadata: { ...e.metadata, receivedAt } });
    const current = [snapshot('bolts', 1, 5, { recent: [stored] })];

    expect(decide([record(at(late, withinAt))], current).commands[0]!.kind).toBe('repeat');
    const after = decide([record(at(late, afterAt))], current);
    expect(after.commands[0]!.kind).toBe('decided');
    expect(after.events).toHaveLength(1);
  });

  it("answers a command id repeated within the batch with the first one's reply, even with another payload", () => {
    const first = envelope('c5', 'CountThings', 'bolts', 5);
    const decided = decide([record(first), record(envelope('c5', 'CountThings', 'bolts', 6))]);

    expect(decided.events).toHaveLength(1);
    expect(decided.commands.map((c) => c.kind)).toEqual(['decided', 'repeat-in-batch']);
    const { replies, snapshots } = settle(decided);
    expect(replies[1]).toEqual(replies[0]);
    expect(replies[0]!.fingerprint).toBe(commandFingerprint(first));
    expect(snapshots[0]!.recent).toEqual([remembered(replies[0]!)]);
  });

  it('turns a domain rejection into a reply with its code, reason and details', () => {
    const command = envelope('c6', 'RemoveThings', 'bolts', 9);
    const decided = decide([record(command)], [snapshot('bolts', 3, 4)]);

    expect(decided.events).toEqual([]);
    expect(settle(decided).replies).toEqual([
      {
        status: 'rejected',
        commandId: 'c6',
        fingerprint: commandFingerprint(command),
        streamId: 'acme/bolts',
        version: 3,
        code: 'insufficient_things',
        reason: '4 units held, 9 asked',
        details: { available: 4 },
        // Where the refused change came from, for the sync status.
        sourceSystem: 'api',
      },
    ]);
  });

  it('rejects an unknown command type and an invalid payload', () => {
    const unknown = envelope('c7', 'CountThings', 'bolts', 1, { type: `${THINGS_CONTEXT}.PaintThings` });
    const invalid = envelope('c8', 'CountThings', 'nuts', -1);
    const { replies } = settle(decide([record(unknown), record(invalid)]));

    expect(replies.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'unknown_command_type',
      'validation_failed',
    ]);
    expect(replies[1]).toMatchObject({ details: { errors: [{ path: 'units' }] } });
  });

  it('sends an undecodable record to the dead letters as it came, and decides the records around it', () => {
    const garbage = record('{not json', { trace: 'x' });
    const notAnEnvelope = record({ hello: 'world' });
    const decided = decide([
      record(envelope('c9', 'CountThings', 'bolts', 1)),
      garbage,
      notAnEnvelope,
      record(envelope('c10', 'CountThings', 'bolts', 2)),
    ]);

    expect(decided.commands).toHaveLength(2);
    expect(decided.events.map((e) => e.metadata.streamVersion)).toEqual([1, 2]);
    expect(decided.deadLetters).toHaveLength(2);
    const [first, second] = decided.deadLetters;
    expect(first).toEqual({
      offset: garbage.offset,
      reason: expect.stringMatching(/^not JSON: /),
      message: {
        key: garbage.key,
        value: garbage.value,
        headers: {
          trace: 'x',
          verity_dlq_reason: first!.reason,
          verity_dlq_source: `${COMMANDS}/${PARTITION}/${garbage.offset}`,
        },
      },
    });
    expect(second!.reason).toMatch(/^not a command envelope: commandId: /);
    expect(second!.message.headers).toMatchObject({
      verity_dlq_source: `${COMMANDS}/${PARTITION}/${notAnEnvelope.offset}`,
    });
  });

  it('decides several commands of one stream in order, each on the state the one before left', () => {
    const decided = decide([
      record(envelope('d1', 'CountThings', 'bolts', 5)),
      record(envelope('d2', 'RemoveThings', 'bolts', 3)),
      record(envelope('d3', 'RemoveThings', 'bolts', 5)),
      record(envelope('d4', 'CountThings', 'bolts', 1, { expectedVersion: 2 })),
    ]);

    expect(decided.events.map((e) => [e.metadata.type, e.metadata.streamVersion, payloadOf(e)])).toEqual([
      [THINGS_COUNTED, 1, { thing: 'bolts', units: 5, packaging: 'unit' }],
      [THINGS_REMOVED, 2, { thing: 'bolts', units: 3 }],
      [THINGS_COUNTED, 3, { thing: 'bolts', units: 1, packaging: 'unit' }],
    ]);
    const { replies, snapshots } = settle(decided, 10n);
    expect(
      replies.map((r) => [
        r.commandId,
        r.status,
        r.version,
        r.status === 'accepted' ? r.events.map((e) => e.offset) : r.code,
      ]),
    ).toEqual([
      ['d1', 'accepted', 1, ['10']],
      ['d2', 'accepted', 2, ['11']],
      ['d3', 'rejected', 2, 'insufficient_things'],
      ['d4', 'accepted', 3, ['12']],
    ]);
    expect(snapshots).toEqual([
      {
        streamId: 'acme/bolts',
        version: 3,
        state: { units: 3 },
        lastHash: decided.events[2]!.metadata.hash,
        sequence: 4,
        recent: replies.map(remembered),
      },
    ]);
  });

  it("continues each stream's hash chain from its snapshot across the batch, streams interleaved", () => {
    const bolts = snapshot('bolts', 2, 7);
    const decided = decide(
      [
        record(envelope('h1', 'CountThings', 'bolts', 1)),
        record(envelope('h2', 'CountThings', 'nuts', 2)),
        record(envelope('h3', 'RemoveThings', 'bolts', 4)),
      ],
      [bolts],
    );

    const chain = decided.events.map((e) => [e.metadata.subject, e.metadata.streamVersion, e.metadata.prevHash]);
    const [b3, n1, b4] = decided.events;
    expect(chain).toEqual([
      ['acme/bolts', 3, bolts.lastHash],
      ['acme/nuts', 1, ''],
      ['acme/bolts', 4, b3!.metadata.hash],
    ]);
    for (const e of decided.events)
      expect(e.metadata.hash).toBe(eventHash(e.metadata.prevHash, unchained(e.metadata), e.value));

    const { replies, snapshots } = settle(decided, 70n);
    expect(replies.map((r) => (r.status === 'accepted' ? r.events[0]!.offset : r.code))).toEqual(['70', '71', '72']);
    expect(snapshots.map((s) => [s.streamId, s.version, s.lastHash, s.sequence])).toEqual([
      ['acme/bolts', 4, b4!.metadata.hash, 11],
      ['acme/nuts', 1, n1!.metadata.hash, 1],
    ]);
  });

  it('decides a redone batch the same: same event ids, payloads and hashes', () => {
    const records = [
      record(envelope('r1', 'CountThings', 'bolts', 5)),
      record(envelope('r2', 'RemoveThings', 'bolts', 2)),
    ];
    const current = snapshot('bolts', 1, 1);
    expect(decide(records, [current])).toEqual(decide(records, [current]));
  });

  it('decides a batch on what an earlier batch not yet committed left, and answers its repeats with its replies', () => {
    const first = envelope('p1', 'CountThings', 'bolts', 5);
    const earlier = decide([record(first)], [snapshot('bolts', 1, 1)]);
    const lane = new PartitionLane(100n);
    lane.stage(earlier);
    const later = decideBatch({
      context: thingsContextV2,
      source: { topic: COMMANDS, partition: PARTITION },
      records: [
        record(envelope('p1', 'CountThings', 'bolts', 5)),
        record(envelope('p2', 'CountThings', 'bolts', 2)),
      ].map(readCommandRecord),
      snapshots: lane.over(new Map([['acme/bolts', snapshot('bolts', 1, 1)]])),
      inFlight: lane.inFlight,
      outcomeWindowMs: WINDOW_MS,
      encode,
      references: () => undefined,
    });
    expect(later.commands.map((c) => c.kind)).toEqual(['repeat-in-batch', 'decided']);
    expect(later.events.map((e) => e.metadata.streamVersion)).toEqual([3]);
    expect(later.events[0]!.metadata.prevHash).toBe(earlier.events[0]!.metadata.hash);

    // Settled in order, as one transaction or two: the later batch takes the earlier one's replies.
    const settledEarlier = settle(earlier, 40n);
    const replies = new Map(earlier.commands.map((c, i) => [c, settledEarlier.replies[i]!]));
    const settledLater = settleBatch(
      later,
      { topic: EVENTS, partition: PARTITION, firstOffset: 42n },
      {
        replyOf: (d) => replies.get(d),
        recentOf: (streamId) => settledEarlier.snapshots.find((s) => s.streamId === streamId)?.recent,
      },
    );
    expect(settledLater.replies[0]).toEqual(settledEarlier.replies[0]);
    expect(settledLater.snapshots[0]!.recent.map((r) => r.commandId)).toEqual(['p1', 'p2']);
  });

  it('hands the decider the actor, who it acted for and its admin flag, and records onBehalfOf on the events', () => {
    const seen: DomainCommandMetadata[] = [];
    const watching = {
      ...thingsContextV2,
      decider: {
        ...thingsContextV2.decider,
        decide: (command: DomainCommand, state: unknown) => {
          seen.push(command.metadata);
          return thingsContextV2.decider.decide(command, state);
        },
      },
    };
    const onBehalf = envelope('o1', 'CountThings', 'bolts', 5);
    onBehalf.metadata = { ...onBehalf.metadata, actor: 'erp-connector', onBehalfOf: 'erp:jdoe', admin: true };
    const plain = envelope('o2', 'CountThings', 'bolts', 1);
    const decided = decideBatch({
      context: watching,
      source: { topic: COMMANDS, partition: PARTITION },
      records: [record(onBehalf), record(plain)].map(readCommandRecord),
      snapshots: new Map(),
      encode,
      references: () => undefined,
      outcomeWindowMs: WINDOW_MS,
    });

    expect(seen.map(({ actor, onBehalfOf, admin }) => ({ actor, onBehalfOf, admin }))).toEqual([
      { actor: 'erp-connector', onBehalfOf: 'erp:jdoe', admin: true },
      { actor: 'alice', onBehalfOf: undefined, admin: undefined },
    ]);
    const [first, second] = decided.events;
    expect(first!.metadata).toMatchObject({ actor: 'erp-connector', onBehalfOf: 'erp:jdoe' });
    expect(first!.metadata.hash).toBe(eventHash('', unchained(first!.metadata), first!.value));
    // Without it the attribute is absent, not undefined: the event hashes as before it existed.
    expect(Object.keys(second!.metadata)).not.toContain('onBehalfOf');
    expect(second!.metadata.hash).toBe(eventHash(first!.metadata.hash, unchained(second!.metadata), second!.value));
    // admin is authority for the decision, not a fact about the event.
    expect(Object.keys(first!.metadata)).not.toContain('admin');
  });

  it('leaves the restored snapshots as they were', () => {
    const current = snapshot('bolts', 1, 1);
    const before = structuredClone(current);
    settle(decide([record(envelope('m1', 'CountThings', 'bolts', 5))], [current]));
    expect(current).toEqual(before);
  });
});
