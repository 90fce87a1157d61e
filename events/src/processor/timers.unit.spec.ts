import type { ContextDefinition, TimerDefinition } from '@verity/core';
import { commandEnvelopeSchema } from '@verity/core';
import type { RememberedCommand, StreamSnapshot } from './stream-snapshot';
import { TIMER_ACTOR, dueTimerCommands, isSettled, timerCommandId, type SentTimer } from './timers';

// A stream of holds, each released at its own time; the timer is due at the earliest.
interface Holds {
  until: string[];
}

const releaseTimer: TimerDefinition<Holds> = {
  command: 'ReleaseHolds',
  dueAt: (state) => (state.until.length > 0 ? new Date([...state.until].sort()[0]!) : null),
  payload: (holdId) => ({ holdId }),
};
const context = { name: 'holds', timers: [releaseTimer] } as Pick<ContextDefinition, 'name' | 'timers'>;

const snapshot = (
  streamId: string,
  version: number,
  until: string[],
  recent: RememberedCommand[] = [],
): StreamSnapshot => ({
  streamId,
  version,
  state: { until },
  lastHash: 'h',
  sequence: version,
  recent,
});

const reply = (commandId: string, version: number): RememberedCommand => ({
  commandId,
  fingerprint: 'f',
  at: '2026-05-01T11:59:00.000Z',
  version,
});

const now = new Date('2026-05-01T12:00:00.000Z');
const everything = { context, now, inFlight: new Map<string, SentTimer>() };

describe('timers', () => {
  describe('timerCommandId', () => {
    it('is the same for the same context, command, stream and version, and differs when any of them does', () => {
      const id = timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 3);
      expect(timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 3)).toBe(id);
      expect(
        new Set([
          id,
          timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 4),
          timerCommandId('holds', 'ReleaseHolds', 'acme/h-2', 3),
          timerCommandId('holds', 'ExpireHolds', 'acme/h-1', 3),
          timerCommandId('other', 'ReleaseHolds', 'acme/h-1', 3),
          // A stream id with a slash in its aggregate id must not collide with a shifted split.
          timerCommandId('holds', 'ReleaseHolds', 'acme/h-1/3', 3),
        ]).size,
      ).toBe(6);
    });

    it('is a valid command id of bounded length, whatever the stream id', () => {
      const id = timerCommandId('holds', 'ReleaseHolds', `acme/${'x'.repeat(500)}`, 1);
      expect(id).toMatch(/^timer:holds\.ReleaseHolds:[0-9a-f]{40}$/);
      expect(id.length).toBeLessThanOrEqual(200);
    });
  });

  describe('dueTimerCommands', () => {
    it('sends the command of a stream whose timer is due (at or before now), with the time of the check, the system actor and the tenant of the stream', () => {
      const [command, ...rest] = dueTimerCommands(
        [snapshot('acme/h-1', 5, ['2026-05-01T12:00:00.000Z', '2026-05-02T00:00:00.000Z'])],
        everything,
      );
      expect(rest).toEqual([]);
      expect(command).toEqual({
        commandId: timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 5),
        type: 'holds.ReleaseHolds',
        streamId: 'acme/h-1',
        payload: { holdId: 'h-1' },
        metadata: {
          tenant: 'acme',
          actor: TIMER_ACTOR,
          correlationId: command!.commandId,
          sourceSystem: 'api',
          sourceTimestamp: '2026-05-01T12:00:00.000Z',
          receivedAt: '2026-05-01T12:00:00.000Z',
        },
      });
      expect(commandEnvelopeSchema.parse(command)).toEqual(command);
    });

    it('leaves streams that are not due yet or have nothing to time', () => {
      const snapshots = [
        snapshot('acme/later', 2, ['2026-05-01T12:00:00.001Z']),
        snapshot('acme/none', 2, []),
        snapshot('acme/mine', 2, ['2026-05-01T11:00:00.000Z']),
      ];
      const due = dueTimerCommands(snapshots, everything);
      expect(due.map((c) => c.streamId)).toEqual(['acme/mine']);
    });

    it('does not send again while the command for this stream version is in flight, nor once it was decided at this version', () => {
      const id = timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 5);
      const due = snapshot('acme/h-1', 5, ['2026-05-01T11:00:00.000Z']);
      expect(
        dueTimerCommands([due], { ...everything, inFlight: new Map([[id, { streamId: 'acme/h-1', version: 5 }]]) }),
      ).toEqual([]);
      expect(
        dueTimerCommands([snapshot('acme/h-1', 5, ['2026-05-01T11:00:00.000Z'], [reply(id, 5)])], everything),
      ).toEqual([]);
      // Once the stream moved on, the next version has a command of its own.
      const [next] = dueTimerCommands(
        [snapshot('acme/h-1', 6, ['2026-05-01T11:30:00.000Z'], [reply(id, 6)])],
        everything,
      );
      expect(next?.commandId).toBe(timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 6));
    });

    it('sends nothing for a context without timers or a key that is not a stream id', () => {
      expect(
        dueTimerCommands([snapshot('acme/h-1', 1, ['2026-01-01T00:00:00.000Z'])], {
          ...everything,
          context: { name: 'holds' },
        }),
      ).toEqual([]);
      expect(dueTimerCommands([snapshot('no-tenant', 1, ['2026-01-01T00:00:00.000Z'])], everything)).toEqual([]);
    });
  });

  describe('isSettled', () => {
    const id = timerCommandId('holds', 'ReleaseHolds', 'acme/h-1', 5);
    const sent: SentTimer = { streamId: 'acme/h-1', version: 5 };

    it('is not while the stream is unknown or still at the version without its reply', () => {
      expect(isSettled(id, sent, undefined)).toBe(false);
      expect(isSettled(id, sent, snapshot('acme/h-1', 5, ['x']))).toBe(false);
    });

    it('is once the stream moved past the version, or remembers the reply at that version', () => {
      expect(isSettled(id, sent, snapshot('acme/h-1', 6, []))).toBe(true);
      expect(isSettled(id, sent, snapshot('acme/h-1', 5, ['x'], [reply(id, 5)]))).toBe(true);
    });
  });
});
