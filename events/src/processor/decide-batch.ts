import type { Message } from 'kafkajs';
import {
  chain,
  commandFingerprint,
  DomainRejection,
  encodeConsistencyToken,
  eventFullName,
  findCommand,
  type AppendedEvent,
  type ChainedEventMetadata,
  type CommandEnvelope,
  type CommandReply,
  type ContextDefinition,
  type DomainCommand,
  type DomainEvent,
} from '@verity/core';
import type { ReadCommandRecord } from './command-record';
import {
  recall,
  remember,
  rememberedOf,
  replyOf,
  type RememberedCommand,
  type StreamSnapshot,
} from './stream-snapshot';

/** Encodes an event's payload as the events topic holds it (Avro in the wire format); the hash covers these bytes. */
export type EventEncoder = (
  fullName: string,
  data: Record<string, unknown>,
) => { value: Buffer; schemaVersion: number };

/** The views of other contexts' streams a command is handed, by reference name (see `ReferenceDefinition`). */
export type ReferenceLookup = (
  commandName: string,
  tenant: string,
  payload: Record<string, unknown>,
) => Record<string, unknown> | undefined;

export interface BatchInput {
  context: ContextDefinition;
  /** Where the records were read: a dead letter names it. */
  source: { topic: string; partition: number };
  records: readonly ReadCommandRecord[];
  /** Each stream's snapshot as restored before the batch, or as an earlier batch not yet committed left it. */
  snapshots: Pick<ReadonlyMap<string, StreamSnapshot>, 'get'>;
  /** Decisions of earlier batches of the partition not yet committed, by command id: a repeat of one is answered with its reply. */
  inFlight?: Pick<ReadonlyMap<string, Decision>, 'get'>;
  encode: EventEncoder;
  references: ReferenceLookup;
  /** How long, in ms, a stream answers a repeated command id with its first reply; past that it is a new command. */
  outcomeWindowMs: number;
}

/** An event to append: its payload encoded, its metadata chained to the previous event of its stream. */
export interface DecidedEvent {
  metadata: ChainedEventMetadata;
  value: Buffer;
}

/** A command decided in this batch: new events, or a rejection. */
export interface Decision {
  kind: 'decided';
  envelope: CommandEnvelope;
  fingerprint: string;
  /** Stream version after the command: unchanged for a rejection. */
  version: number;
  /** Its events, in order; none for a rejection. */
  events: DecidedEvent[];
  rejection?: DomainRejection;
}

/**
 * A command id this stream has seen: its original reply is sent again, nothing else is written.
 * `repeat-in-batch` repeats a decision of this batch or of an earlier one not yet committed.
 */
export type Repeat =
  { kind: 'repeat'; streamId: string; remembered: RememberedCommand } | { kind: 'repeat-in-batch'; of: Decision };

export type CommandOutcome = Decision | Repeat;

/** A record that is no command: it goes to the dead-letter topic as it came, with the reason in its headers. */
export interface DeadLetter {
  offset: string;
  reason: string;
  message: Message;
}

export interface DecidedBatch {
  /** One per record that holds a command envelope, in record order. */
  commands: CommandOutcome[];
  /** Every decision's events, in record order. */
  events: DecidedEvent[];
  /** Each stream a decision touched, after its last command; its replies are remembered by `settleBatch`. */
  snapshots: ReadonlyMap<string, StreamSnapshot>;
  deadLetters: DeadLetter[];
}

/**
 * Decides a batch of command records of one partition, in record order, on the snapshots
 * restored before it: each command sees the state its predecessors in the batch left. Pure:
 * time and ids come from the envelopes, so a redone batch decides the same events with the
 * same ids and hashes. A decider's DomainRejection becomes a rejection; any other error
 * (or an event its schema refuses) is thrown and fails the whole batch.
 */
export function decideBatch(input: BatchInput): DecidedBatch {
  const { context, source, snapshots, encode, references } = input;
  const staged = new Map<string, StreamSnapshot>();
  const inBatch = new Map<string, Decision>();
  const commands: CommandOutcome[] = [];
  const events: DecidedEvent[] = [];
  const deadLetters: DeadLetter[] = [];

  function decideOne(envelope: CommandEnvelope): CommandOutcome {
    const current = staged.get(envelope.streamId) ?? snapshots.get(envelope.streamId);
    const seenInBatch = inBatch.get(envelope.commandId) ?? input.inFlight?.get(envelope.commandId);
    if (seenInBatch) return { kind: 'repeat-in-batch', of: seenInBatch };
    const seen =
      current && recall(current.recent, envelope.commandId, envelope.metadata.receivedAt, input.outcomeWindowMs);
    if (seen) return { kind: 'repeat', streamId: envelope.streamId, remembered: seen };

    const fingerprint = commandFingerprint(envelope);
    const version = current?.version ?? 0;
    const decided = (rest: Pick<Decision, 'version' | 'events' | 'rejection'>): Decision => {
      const outcome: Decision = { kind: 'decided', envelope, fingerprint, ...rest };
      inBatch.set(envelope.commandId, outcome);
      return outcome;
    };
    const reject = (rejection: DomainRejection): Decision => {
      staged.set(envelope.streamId, {
        streamId: envelope.streamId,
        version,
        state: current?.state ?? context.decider.initialState(),
        lastHash: current?.lastHash ?? '',
        sequence: (current?.sequence ?? 0) + 1,
        recent: current?.recent ?? [],
      });
      return decided({ version, events: [], rejection });
    };

    const found = findCommand([context], envelope.type);
    if (!found)
      return reject(
        new DomainRejection('unknown_command_type', `${envelope.type} is not a command of ${context.name}`),
      );
    const { name: commandName, definition } = found;
    const payload = definition.schema.safeParse(envelope.payload);
    if (!payload.success) {
      return reject(
        new DomainRejection('validation_failed', 'payload is invalid', {
          errors: payload.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
      );
    }
    if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== version) {
      return reject(
        new DomainRejection(
          'version_conflict',
          `expected version ${envelope.expectedVersion}, stream is at ${version}`,
          {
            expectedVersion: envelope.expectedVersion,
          },
        ),
      );
    }
    const { tenant, receivedAt, actor, onBehalfOf, admin, sourceSystem, sourceTimestamp } = envelope.metadata;
    const command: DomainCommand = {
      type: commandName,
      data: payload.data,
      metadata: {
        tenant,
        now: new Date(receivedAt),
        actor,
        ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
        ...(admin === undefined ? {} : { admin }),
        commandId: envelope.commandId,
        source: { system: sourceSystem, at: new Date(sourceTimestamp) },
      },
      references: references(commandName, tenant, payload.data),
    };
    const state: unknown = current ? current.state : context.decider.initialState();
    let domainEvents: DomainEvent[];
    try {
      domainEvents = context.decider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainRejection) return reject(error);
      throw error;
    }

    let next: unknown = state;
    let lastHash = current?.lastHash ?? '';
    const decidedEvents = domainEvents.map((event, index): DecidedEvent => {
      next = context.decider.evolve(next, event);
      const fullName = eventFullName(context.name, event.type);
      const { value, schemaVersion } = encode(fullName, event.data);
      const metadata = chain(
        lastHash,
        {
          id: `${envelope.commandId}:${index}`,
          type: fullName,
          source: `/verity/${context.name}`,
          time: envelope.metadata.receivedAt,
          subject: envelope.streamId,
          streamVersion: version + index + 1,
          schemaVersion,
          tenant: envelope.metadata.tenant,
          actor,
          // Only when present: an event without it hashes as events did before the attribute existed.
          ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
          correlationId: envelope.metadata.correlationId,
          causationId: envelope.commandId,
          sourceSystem: envelope.metadata.sourceSystem,
          sourceTimestamp: envelope.metadata.sourceTimestamp,
        },
        value,
      );
      lastHash = metadata.hash;
      return { metadata, value };
    });
    staged.set(envelope.streamId, {
      streamId: envelope.streamId,
      version: version + domainEvents.length,
      state: next,
      lastHash,
      sequence: (current?.sequence ?? 0) + 1,
      recent: current?.recent ?? [],
    });
    return decided({ version: version + domainEvents.length, events: decidedEvents });
  }

  for (const read of input.records) {
    const { record } = read;
    if (read.kind === 'undecodable') {
      deadLetters.push({
        offset: record.offset,
        reason: read.reason,
        message: {
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            verity_dlq_reason: read.reason,
            verity_dlq_source: `${source.topic}/${source.partition}/${record.offset}`,
          },
        },
      });
      continue;
    }
    const outcome = decideOne(read.envelope);
    commands.push(outcome);
    if (outcome.kind === 'decided') events.push(...outcome.events);
  }
  return { commands, events, snapshots: staged, deadLetters };
}

/** Where the batch's events were appended: the first one's offset, the others following it in order. */
export interface AppendedAt {
  topic: string;
  partition: number;
  firstOffset: bigint;
}

/** What is written beside the events, once their offsets are known. */
export interface SettledBatch {
  /** One per outcome of `DecidedBatch.commands`, in the same order. */
  replies: CommandReply[];
  /** Each stream a decision touched, remembering its replies. */
  snapshots: StreamSnapshot[];
}

function replyTo(decision: Decision, events: AppendedEvent[], eventsTopic: string): CommandReply {
  const { envelope, rejection, version, fingerprint } = decision;
  const base = { commandId: envelope.commandId, fingerprint, streamId: envelope.streamId, version };
  if (rejection)
    return {
      status: 'rejected',
      ...base,
      code: rejection.code,
      reason: rejection.message,
      details: rejection.details,
      sourceSystem: envelope.metadata.sourceSystem,
    };
  const last = events[events.length - 1];
  return {
    status: 'accepted',
    ...base,
    events,
    consistencyToken: encodeConsistencyToken({
      topic: eventsTopic,
      offsets: last ? { [last.partition]: (BigInt(last.offset) + 1n).toString() } : {},
    }),
  };
}

/**
 * What the batches settled before this one (of the same transaction or of one not yet
 * committed) left: the reply of each decision, and each stream's latest remembered replies.
 */
export interface SettledHistory {
  replyOf(decision: Decision): CommandReply | undefined;
  recentOf(streamId: string): RememberedCommand[] | undefined;
}

/** The replies and new snapshots of a decided batch whose events were appended at `appended`. Pure. */
export function settleBatch(decided: DecidedBatch, appended: AppendedAt, history?: SettledHistory): SettledBatch {
  const { topic, partition } = appended;
  const replies = new Map<Decision, CommandReply>();
  const rememberedByStream = new Map<string, RememberedCommand[]>();
  let offset = appended.firstOffset;
  for (const outcome of decided.commands) {
    if (outcome.kind !== 'decided') continue;
    const events = outcome.events.map((e, i) => ({
      type: e.metadata.type,
      topic,
      partition,
      offset: (offset + BigInt(i)).toString(),
    }));
    offset += BigInt(outcome.events.length);
    const reply = replyTo(outcome, events, topic);
    replies.set(outcome, reply);
    const remembered = rememberedOf(reply, outcome.envelope.metadata.receivedAt);
    const ofStream = rememberedByStream.get(outcome.envelope.streamId);
    if (ofStream) ofStream.push(remembered);
    else rememberedByStream.set(outcome.envelope.streamId, [remembered]);
  }
  const answer = (o: CommandOutcome): CommandReply => {
    if (o.kind === 'repeat') return replyOf(o.remembered, o.streamId, topic);
    const decision = o.kind === 'decided' ? o : o.of;
    // A repeat follows the decision it repeats (in this batch or an earlier one), whose reply is therefore made.
    return (replies.get(decision) ?? history?.replyOf(decision))!;
  };
  return {
    replies: decided.commands.map(answer),
    snapshots: [...decided.snapshots.values()].map((s) => ({
      ...s,
      recent: (rememberedByStream.get(s.streamId) ?? []).reduce(remember, history?.recentOf(s.streamId) ?? s.recent),
    })),
  };
}
