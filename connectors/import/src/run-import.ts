import type { CommandEnvelope, CommandReply } from '@verity/core';
import type { ReadRow } from './read-rows';
import { RowOrder } from './row-order';
import { outcomeOfReply, rejectionProblem, type EventsEnds, type RowOutcome } from './row-outcome';
import type { RowPlan, RowPlanner, RowProblem } from './row-plan';

/** A row's outcome, with what the report needs of it. */
export interface RowResult {
  row: number;
  outcome: RowOutcome;
  /** The row as read: its fields, or the line that could not be read. */
  fields: Record<string, unknown> | string;
  commandId?: string;
  problem?: RowProblem;
}

export type ImportCounts = Record<RowOutcome, number>;

export const noCounts = (): ImportCounts => ({ imported: 0, repeated: 0, rejected: 0, invalid: 0, pending: 0 });

export function countResults(counts: ImportCounts, results: readonly RowResult[]): ImportCounts {
  const next = { ...counts };
  for (const result of results) next[result.outcome]++;
  return next;
}

/** A reported row: rejected, invalid or pending, one JSON object per line. */
export const reportLine = (result: RowResult): string =>
  `${JSON.stringify({
    row: result.row,
    outcome: result.outcome,
    ...(result.commandId ? { commandId: result.commandId } : {}),
    fields: result.fields,
    ...(result.problem ? { problem: result.problem } : {}),
  })}\n`;

export const isReported = (result: RowResult): boolean =>
  result.outcome !== 'imported' && result.outcome !== 'repeated';

export interface RunImportOptions {
  rows: AsyncIterable<ReadRow>;
  planner: RowPlanner;
  /** Rows 1..from have a known outcome (a checkpoint's): skipped, never planned nor sent. */
  from: number;
  /** Appends a command and resolves with its reply; undefined when none came in time. */
  send: (envelope: CommandEnvelope) => Promise<CommandReply | undefined>;
  /** Where the events topics ended when the import started: tells a repeat from a new import. */
  ends: EventsEnds;
  /** Commands awaiting their reply at most. */
  concurrency: number;
  /** Results in row order, as soon as every row before them has one (`RowOrder`). */
  onResults: (results: RowResult[], done: number) => void;
  /** Once aborted, no further row is sent; rows in flight are awaited. */
  signal?: AbortSignal;
}

function resultOf(
  plan: Extract<RowPlan, { kind: 'command' }>,
  reply: CommandReply | undefined,
  ends: EventsEnds,
): RowResult {
  const base = { row: plan.row, fields: plan.fields, commandId: plan.envelope.commandId };
  if (!reply)
    return {
      ...base,
      outcome: 'pending',
      problem: { code: 'reply_timeout', reason: 'no reply in time: ask for the command by id' },
    };
  const outcome = outcomeOfReply(reply, ends);
  return reply.status === 'rejected' ? { ...base, outcome, problem: rejectionProblem(reply) } : { ...base, outcome };
}

/**
 * Sends the rows' commands, up to `concurrency` awaiting their replies at once. The commands of
 * one stream are sent one after the other, each once the one before it is answered: they are
 * decided in file order, whatever the producer's retries. An invalid row is never sent. The first
 * send that fails stops the import (no further row is sent) and is thrown once the rows in flight
 * are answered; the rows released so far are exactly those whose outcome is known.
 */
export async function runImport(options: RunImportOptions): Promise<{ done: number; stopped: boolean }> {
  const { planner, send, ends, concurrency, onResults, signal } = options;
  const order = new RowOrder<RowResult>(options.from);
  const release = (result: RowResult): void => {
    const released = order.complete(result.row, result);
    if (released.length > 0) onResults(released, order.done);
  };
  const inFlight = new Set<Promise<void>>();
  const tails = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;
  const stopping = (): boolean => failure !== undefined || signal?.aborted === true;

  for await (const read of options.rows) {
    if (stopping()) break;
    if (read.row <= options.from) continue;
    const plan = planner.plan(read);
    if (plan.kind === 'invalid') {
      release({ row: plan.row, outcome: 'invalid', fields: plan.fields, problem: plan.problem });
      continue;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (stopping()) break;
    const { streamId } = plan.envelope;
    const task: Promise<void> = (tails.get(streamId) ?? Promise.resolve())
      .then(async () => {
        if (stopping()) return;
        release(resultOf(plan, await send(plan.envelope), ends));
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        inFlight.delete(task);
        if (tails.get(streamId) === task) tails.delete(streamId);
      });
    inFlight.add(task);
    tails.set(streamId, task);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return { done: order.done, stopped: signal?.aborted === true };
}
