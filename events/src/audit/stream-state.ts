import type { Decider, DomainCommand, DomainEvent } from '@verity/core';
import { eventShortName, VerityError } from '@verity/core';
import type { HistoryRow } from './stream-audit';

/** Which state of a stream: after a version, as it was at an instant, or the newest. */
export type StatePoint = { version: number } | { at: string } | { latest: true };

/** A stream's state as its decider held it after `version`, which the event of `at` made. */
export interface StreamStateAt {
  version: number;
  /** When Verity accepted the event that made this state. */
  at: string;
  state: unknown;
}

/** The history's versions do not run 1, 2, 3…: a fold would give a state no decider ever had. */
export class HistoryGapError extends VerityError {
  constructor(expected: number, actual: number, offset: string) {
    super('stream_version_gap', `expected version ${expected}, found ${actual} at offset ${offset}`, {
      context: { expected, actual, offset },
    });
  }
}

/** The event of a history row as the decider evolves with it. */
const domainEventOf = (row: HistoryRow): DomainEvent => ({ type: eventShortName(row.type), data: row.payload });

/**
 * Folds a stream's history (log order, payloads already in the newest shape) through its
 * decider's `evolve` up to `point`: the state the decider decided the next command on. `from`
 * is a state already folded (a snapshot) that `history` continues, at its next version; without
 * it, `history` starts at version 1. Undefined when no event is at or before the point (a
 * version past the end, an instant before the first event, or an empty history).
 */
export function stateAt(
  decider: Decider<unknown, DomainCommand, DomainEvent>,
  history: readonly HistoryRow[],
  point: StatePoint,
  from?: StreamStateAt,
): StreamStateAt | undefined {
  const until =
    'version' in point
      ? (row: HistoryRow) => row.version <= point.version
      : 'at' in point
        ? (row: HistoryRow) => Date.parse(row.time) <= Date.parse(point.at)
        : () => true;
  let folded = from;
  for (const row of history) {
    if (!until(row)) break;
    const expected = (folded?.version ?? 0) + 1;
    if (row.version !== expected) throw new HistoryGapError(expected, row.version, row.offset);
    folded = {
      version: row.version,
      at: row.time,
      state: decider.evolve(folded ? folded.state : decider.initialState(), domainEventOf(row)),
    };
  }
  if ('version' in point && folded?.version !== point.version) return undefined;
  return folded;
}
