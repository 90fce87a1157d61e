import { deepStrictEqual } from 'node:assert/strict';
import { DomainRejection, type Decider, type DomainCommand, type DomainEvent } from './decider';

/**
 * given(past events).when(command).then(expected events | rejection): one spec per rule.
 * Framework-neutral (node:assert), so any test runner shows the diff.
 */
export function deciderSpec<S, C extends DomainCommand, E extends DomainEvent>(decider: Decider<S, C, E>) {
  return {
    given(events: E[]) {
      return {
        when(command: C) {
          const run = (): E[] =>
            decider.decide(
              command,
              events.reduce((state, event) => decider.evolve(state, event), decider.initialState()),
            );
          return {
            then(expected: E[]): void {
              deepStrictEqual(run(), expected);
            },
            thenRejects(code: string, details?: Record<string, unknown>): void {
              let produced: E[] | undefined;
              try {
                produced = run();
              } catch (error) {
                if (!(error instanceof DomainRejection)) throw error;
                deepStrictEqual(error.code, code);
                if (details) deepStrictEqual(error.details, details);
                return;
              }
              throw new Error(`expected rejection ${code}, got events ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}
