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
