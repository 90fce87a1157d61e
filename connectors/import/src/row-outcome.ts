import type { CommandReply } from '@verity/core';
import type { RowProblem } from './row-plan';

/**
 * What became of a row: `imported` (its command was accepted now), `repeated` (accepted before:
 * the processor answered from the stream and appended nothing), `rejected` (the processor refused
 * it), `invalid` (no valid command could be made of it; never sent), `pending` (sent, no answer in
 * time: its outcome is in the log, to be asked for by command id).
 */
export type RowOutcome = 'imported' | 'repeated' | 'rejected' | 'invalid' | 'pending';

/** Where each partition of the events topics ended when the import started: `<topic>:<partition>` → offset. */
export type EventsEnds = ReadonlyMap<string, bigint>;

export const eventsEndKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * A repeat is answered with the original reply, which names the events the original appended: if
 * they lie before where the events topic ended when this import started, the row was imported by
 * an earlier run. An accepted command that appended no event cannot be told apart and counts as imported.
 */
export function outcomeOfReply(reply: CommandReply, ends: EventsEnds): Exclude<RowOutcome, 'invalid' | 'pending'> {
  if (reply.status === 'rejected') return 'rejected';
  const first = reply.events[0];
  if (!first) return 'imported';
  const end = ends.get(eventsEndKey(first.topic, first.partition)) ?? 0n;
  return BigInt(first.offset) < end ? 'repeated' : 'imported';
}

/** The processor's refusal as a report gives it. */
export function rejectionProblem(reply: Extract<CommandReply, { status: 'rejected' }>): RowProblem {
  return { code: reply.code, reason: reply.reason, ...(reply.details ? { details: reply.details } : {}) };
}
