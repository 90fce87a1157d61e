import type { Decider, DomainCommand, DomainEvent } from '@verity/core';
import type { HistoryRow } from './stream-audit';
import { HistoryGapError, stateAt } from './stream-state';

// A decider whose state records every event it saw, in order: a fold that skips, repeats or
// reorders events gives a different state.
interface Tally {
  total: number;
  seen: string[];
}
const tally: Decider<unknown, DomainCommand, DomainEvent> = {
  decide: () => [],
  initialState: (): Tally => ({ total: 0, seen: [] }),
  evolve: (state, event) => {
    const { total, seen } = state as Tally;
    const amount = Number(event.data.amount);
    return { total: event.type === 'Added' ? total + amount : total - amount, seen: [...seen, event.type] };
  },
};

const row = (version: number, type: string, amount: number): HistoryRow => ({
  version,
  offset: String(version * 2),
  time: `2026-11-23T10:00:0${version}.000Z`,
  type: `verity.tally.${type}`,
  actor: 'alice',
  sourceSystem: 'api',
  sourceTimestamp: '2026-11-23T09:00:00.000Z',
  correlationId: 'c',
  causationId: 'c',
  payload: { amount },
  hash: `h${version}`,
  prevHash: version === 1 ? '' : `h${version - 1}`,
});

const history = [row(1, 'Added', 10), row(2, 'Added', 5), row(3, 'Removed', 3), row(4, 'Added', 1)];

/** The state after the first `n` events, folded by hand. */
const byHand = [
  { total: 0, seen: [] },
  { total: 10, seen: ['Added'] },
  { total: 15, seen: ['Added', 'Added'] },
  { total: 12, seen: ['Added', 'Added', 'Removed'] },
  { total: 13, seen: ['Added', 'Added', 'Removed', 'Added'] },
];

describe('stateAt', () => {
  it.each([1, 2, 3, 4])('at version %i equals folding the first events by hand', (n) => {
    expect(stateAt(tally, history, { version: n })).toEqual({
      version: n,
      at: history[n - 1]!.time,
      state: byHand[n],
    });
  });

  it('at an instant folds the events accepted at or before it', () => {
    // Between the second and third events.
    expect(stateAt(tally, history, { at: '2026-11-23T10:00:02.500Z' })).toEqual({
      version: 2,
      at: '2026-11-23T10:00:02.000Z',
      state: byHand[2],
    });
    // Exactly at an event's time: that event is in.
    expect(stateAt(tally, history, { at: '2026-11-23T11:00:03.000+01:00' })?.version).toBe(3);
    expect(stateAt(tally, history, { at: '2030-01-01T00:00:00.000Z' })?.state).toEqual(byHand[4]);
  });

  it('latest folds the whole history', () => {
    expect(stateAt(tally, history, { latest: true })).toEqual({ version: 4, at: history[3]!.time, state: byHand[4] });
  });

  it('is undefined before the first event, past the last version, or for an empty history', () => {
    expect(stateAt(tally, history, { at: '2026-11-23T10:00:00.999Z' })).toBeUndefined();
    expect(stateAt(tally, history, { version: 5 })).toBeUndefined();
    expect(stateAt(tally, [], { latest: true })).toBeUndefined();
  });

  it('continues a state already folded as the fold from version 1 would', () => {
    const snapshot = stateAt(tally, history.slice(0, 2), { latest: true })!;
    const rest = history.slice(2);
    expect(stateAt(tally, rest, { version: 4 }, snapshot)).toEqual(stateAt(tally, history, { version: 4 }));
    expect(stateAt(tally, rest, { at: '2026-11-23T10:00:03.500Z' }, snapshot)?.state).toEqual(byHand[3]);
    expect(stateAt(tally, rest, { latest: true }, snapshot)?.state).toEqual(byHand[4]);
    // Nothing after the snapshot is at or before the point: the snapshot is the state.
    expect(stateAt(tally, [], { version: 2 }, snapshot)).toEqual(snapshot);
    expect(stateAt(tally, rest, { version: 5 }, snapshot)).toBeUndefined();
    expect(() => stateAt(tally, history.slice(3), { latest: true }, snapshot)).toThrow(HistoryGapError);
  });

  it('refuses a history whose versions do not run 1, 2, 3', () => {
    const gapped = [history[0]!, history[2]!];
    expect(() => stateAt(tally, gapped, { latest: true })).toThrow(HistoryGapError);
    expect(() => stateAt(tally, gapped, { version: 1 })).not.toThrow();
  });
});
