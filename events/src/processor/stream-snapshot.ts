import { encodeConsistencyToken, type CommandReply, type SourceSystem } from '@verity/core';

/** How many recent command ids a stream remembers, to answer a repeated command from its reply. */
export const RECENT_COMMANDS_PER_STREAM = 100;

/**
 * A command a stream remembers: enough to answer a repeat with the original reply, no more.
 * The stream id, the events topic and partition and the consistency token are the stream's
 * own or follow from the rest, so a remembered command is a third of its reply's size.
 */
export interface RememberedCommand {
  commandId: string;
  fingerprint: string;
  /** When the command was received: past the outcome window a repeat of it is a new command. */
  at: string;
  version: number;
  /** Accepted: where its first event landed and each event's type. */
  events?: { partition: number; firstOffset: string; types: string[] };
  /** Rejected. */
  rejection?: { code: string; reason: string; details?: Record<string, unknown>; sourceSystem?: SourceSystem };
}

/** What the processor keeps per stream on the state topic: enough to decide without replaying events. */
export interface StreamSnapshot {
  streamId: string;
  version: number;
  state: unknown;
  /** Hash of the last event, the next event's prev hash. */
  lastHash: string;
  /** Grows with every snapshot written, rejections included: the newest snapshot wins. */
  sequence: number;
  /** The latest commands on this stream, oldest first. */
  recent: RememberedCommand[];
}

/** What a stream keeps of a command's reply. */
export function rememberedOf(reply: CommandReply, at: string): RememberedCommand {
  const { commandId, fingerprint, version } = reply;
  if (reply.status === 'rejected') {
    const { code, reason, details, sourceSystem } = reply;
    return {
      commandId,
      fingerprint,
      at,
      version,
      rejection: { code, reason, ...(details ? { details } : {}), ...(sourceSystem ? { sourceSystem } : {}) },
    };
  }
  const [first] = reply.events;
  return {
    commandId,
    fingerprint,
    at,
    version,
    ...(first
      ? { events: { partition: first.partition, firstOffset: first.offset, types: reply.events.map((e) => e.type) } }
      : {}),
  };
}

/** The reply a remembered command was answered with, as `settleBatch` made it. */
export function replyOf(remembered: RememberedCommand, streamId: string, eventsTopic: string): CommandReply {
  const { commandId, fingerprint, version, rejection, events } = remembered;
  if (rejection) return { status: 'rejected', commandId, fingerprint, streamId, version, ...rejection };
  const appended = (events?.types ?? []).map((type, i) => ({
    type,
    topic: eventsTopic,
    partition: events!.partition,
    offset: (BigInt(events!.firstOffset) + BigInt(i)).toString(),
  }));
  const last = appended.at(-1);
  return {
    status: 'accepted',
    commandId,
    fingerprint,
    streamId,
    version,
    events: appended,
    consistencyToken: encodeConsistencyToken({
      topic: eventsTopic,
      offsets: last ? { [last.partition]: (BigInt(last.offset) + 1n).toString() } : {},
    }),
  };
}

export function remember(recent: RememberedCommand[], command: RememberedCommand): RememberedCommand[] {
  return [...recent, command].slice(-RECENT_COMMANDS_PER_STREAM);
}

/**
 * The remembered command a repeat of `commandId` received at `at` is answered from: none once
 * the outcome window has passed since the original, when the repeat is a new command (the
 * gateway's outcomes are gone by then too). Pure: the time is the repeat's own.
 */
export function recall(
  recent: readonly RememberedCommand[],
  commandId: string,
  at: string,
  windowMs: number,
): RememberedCommand | undefined {
  const found = recent.find((r) => r.commandId === commandId);
  if (!found) return undefined;
  return Date.parse(at) - Date.parse(found.at) > windowMs ? undefined : found;
}

/**
 * A snapshot as JSON holds it; snapshots written before commands were remembered in short
 * (whole replies, no time) are read as remembered now, and so never outlive the window early.
 */
export function parseSnapshot(json: string | Buffer): StreamSnapshot {
  const snapshot = JSON.parse(json.toString()) as StreamSnapshot;
  if (snapshot.recent.some((r) => 'status' in r))
    snapshot.recent = snapshot.recent.map((r) =>
      'status' in r ? rememberedOf(r as unknown as CommandReply, new Date().toISOString()) : r,
    );
  return snapshot;
}

/** A timer's due time of a stream's state (see `TimerDefinition.dueAt`). */
export type DueAt = (state: unknown) => Date | null;

/** Header of a state record holding its snapshot's sequence, so a reader can tell which is newer without parsing it. */
export const SEQUENCE_HEADER = 'verity_sequence';

/**
 * Header of a state record holding each timer's due time of its state (epoch ms, or null), so a
 * store restored from the state topic indexes due streams without parsing every snapshot.
 */
export const DUE_HEADER = 'verity_due';

/** A snapshot as the state topic holds it; `timers` are its context's, whose due times go in a header. */
export function snapshotRecord(
  snapshot: StreamSnapshot,
  partition: number,
  timers: readonly DueAt[] = [],
): { key: string; value: string; partition: number; headers: Record<string, string> } {
  const headers: Record<string, string> = { [SEQUENCE_HEADER]: String(snapshot.sequence) };
  if (timers.length > 0)
    headers[DUE_HEADER] = JSON.stringify(timers.map((dueAt) => dueAt(snapshot.state)?.getTime() ?? null));
  return { key: snapshot.streamId, value: JSON.stringify(snapshot), partition, headers };
}
