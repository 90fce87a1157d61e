import type { CommandReply } from '@verity/core';

/** How many recent command ids a stream remembers, to answer a repeated command from its reply. */
export const RECENT_COMMANDS_PER_STREAM = 100;

/** What the processor keeps per stream on the state topic: enough to decide without replaying events. */
export interface StreamSnapshot {
  streamId: string;
  version: number;
  state: unknown;
  /** Hash of the last event, the next event's prev hash. */
  lastHash: string;
  /** Grows with every snapshot written, rejections included: the newest snapshot wins. */
  sequence: number;
  /** Replies to the latest commands on this stream, oldest first. */
  recent: CommandReply[];
}

export function remember(recent: CommandReply[], reply: CommandReply): CommandReply[] {
  return [...recent, reply].slice(-RECENT_COMMANDS_PER_STREAM);
}

/** Header of a state record holding its snapshot's sequence, so a reader can pass over what it holds already without parsing it. */
export const SEQUENCE_HEADER = 'verity_sequence';

/** A snapshot as the state topic holds it. */
export function snapshotRecord(
  snapshot: StreamSnapshot,
  partition: number,
): { key: string; value: string; partition: number; headers: Record<string, string> } {
  return {
    key: snapshot.streamId,
    value: JSON.stringify(snapshot),
    partition,
    headers: { [SEQUENCE_HEADER]: String(snapshot.sequence) },
  };
}

/** Whether a state record is no newer than the snapshot held, judged from its headers alone (false when it has none). */
export function isNoNewer(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
  held: StreamSnapshot | undefined,
): boolean {
  const sequence = headers?.[SEQUENCE_HEADER];
  if (held === undefined || sequence === undefined || Array.isArray(sequence)) return false;
  return Number(sequence.toString()) <= held.sequence;
}
