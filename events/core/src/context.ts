import type { z } from 'zod';
import type { Decider, DomainCommand, DomainEvent } from './decider';

/** One command type of a context: how its payload is validated and which stream it targets. */
export interface CommandDefinition {
  /** Validates and normalises the payload; its issues become the 4xx answer. */
  schema: z.ZodType<Record<string, unknown>>;
  /** The aggregate the command targets; the stream id is `<tenant>/<aggregate id>`. */
  aggregateId(payload: Record<string, unknown>): string;
}

/**
 * A fact from another context's stream that some commands are decided on (is the product
 * discontinued? which source owns a field?). The processor reads that context's state topic
 * into a table of views, catches it up before deciding, and hands the view (null when the
 * stream does not exist) to the decider as `command.references[name]`, so `decide` stays pure.
 */
export interface ReferenceDefinition {
  /** The context whose state is read. */
  context: string;
  /** Commands (short names) that are handed this reference; others do not wait for it. */
  commands: readonly string[];
  /** Aggregate id, in the referenced context and the command's tenant, that the command refers to. */
  aggregateId(payload: Record<string, unknown>): string;
  /** What the decider gets of that stream's state. Keep it small: every processor holds one per stream. */
  view(state: unknown): unknown;
}

/**
 * A command a stream sends itself when its state says it is due (a reservation past its
 * expiry). The processor owning the stream's partition checks every stream periodically and
 * sends the command through the commands topic with the time of the check as its time, so the
 * decider decides from time it is given, as for any command.
 */
export interface TimerDefinition<State = unknown, Command extends string = string> {
  /** Short name of the command sent, one of the context's commands. */
  command: Command;
  /** When the stream next needs the command, by the decider's own rule for it; null when it needs none. */
  dueAt(state: State): Date | null;
  /** The command's payload for the stream with this aggregate id, checked by the command's schema like any other. */
  payload(aggregateId: string, state: State): Record<string, unknown>;
}

/**
 * A bounded context as the runtimes see it: its commands, its decider, the events it may
 * emit (short names; the Avro full name is `verity.<context>.<Name>`), the references
 * to other contexts it decides on and the timers of its streams.
 */
export interface ContextDefinition<State = unknown> {
  name: string;
  commands: Record<string, CommandDefinition>;
  decider: Decider<State, DomainCommand, DomainEvent>;
  events: readonly string[];
  references?: Record<string, ReferenceDefinition>;
  timers?: readonly TimerDefinition<State>[];
}

/**
 * Erases a context's own command and event types for the runtimes. Safe because the runtimes
 * only hand `decide` a command whose payload passed that command's schema.
 */
export function defineContext<State, C extends DomainCommand, E extends DomainEvent>(definition: {
  name: string;
  commands: Record<C['type'], CommandDefinition>;
  decider: Decider<State, C, E>;
  events: readonly E['type'][];
  references?: Record<string, ReferenceDefinition>;
  timers?: readonly TimerDefinition<State, C['type']>[];
}): ContextDefinition<State> {
  return definition;
}

export const eventFullName = (context: string, type: string): string => `verity.${context}.${type}`;

/** The inverse of `eventFullName`: `verity.inventory.StockReceived` → `StockReceived`, the type a decider evolves with. */
export const eventShortName = (fullName: string): string => fullName.slice(fullName.lastIndexOf('.') + 1);

/** `inventory.ReceiveStock` → its context and command definition, or undefined. */
export function findCommand(
  contexts: readonly ContextDefinition[],
  commandType: string,
): { context: ContextDefinition; name: string; definition: CommandDefinition } | undefined {
  const dot = commandType.indexOf('.');
  if (dot < 0) return undefined;
  const context = contexts.find((c) => c.name === commandType.slice(0, dot));
  const name = commandType.slice(dot + 1);
  const definition = context && Object.hasOwn(context.commands, name) ? context.commands[name] : undefined;
  return context && definition ? { context, name, definition } : undefined;
}
