import { VerityError } from './errors';

/**
 * A domain event as deciders see it: the newest shape, no wire concerns. `Data` may be an
 * interface, such as the generated payload types; `data` copies its properties into a plain
 * object type, which (unlike an interface) the runtimes can read as `Record<string, unknown>`.
 */
export type DomainEvent<Type extends string = string, Data extends object = Record<string, unknown>> = {
  type: Type;
  data: { [Key in keyof Data]: Data[Key] };
};

/** Where a change comes from: the source system and the source's own time of the change. */
export interface ChangeSource {
  system: string;
  at: Date;
}

/** Who sent a command, when, and on what authority; time and ids come from here so a replay decides the same. */
export interface DomainCommandMetadata {
  tenant: string;
  now: Date;
  /** The credential's subject (JWT `sub` or API key id), or a system actor such as `system:timer`. */
  actor?: string;
  /** The person the actor acted for (`X-Actor` of a credential holding `act-as`). */
  onBehalfOf?: string;
  /** The credential holds admin for the command's context: ownership rules yield to it. */
  admin?: boolean;
  commandId?: string;
  source?: ChangeSource;
}

/**
 * A command as deciders see it: validated payload plus the time and metadata it arrived with,
 * and the views of other contexts' streams its context declared as references.
 */
export interface DomainCommand<
  Type extends string = string,
  Data extends Record<string, unknown> = Record<string, unknown>,
> {
  type: Type;
  data: Data;
  metadata: DomainCommandMetadata;
  references?: Readonly<Record<string, unknown>>;
}

/** The command's source; a command without one came through the API when it arrived. */
export const sourceOf = (command: DomainCommand): ChangeSource =>
  command.metadata.source ?? { system: 'api', at: command.metadata.now };

/**
 * An aggregate as a decider: pure functions only. Time and ids arrive in the command, so a
 * replay decides the same way.
 */
export interface Decider<State, Command extends DomainCommand, Event extends DomainEvent> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/**
 * A rule of the domain said no. Becomes a rejection reply with `code` (machine-readable) and
 * `details`; never a crash, never a stuck partition.
 */
export class DomainRejection extends VerityError {
  readonly details: Record<string, unknown>;

  constructor(code: string, reason: string, details: Record<string, unknown> = {}) {
    super(code, reason, { context: details });
    this.details = details;
  }
}
