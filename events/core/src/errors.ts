/**
 * Base error of the event-log library. `code` is machine-readable and stable; `retriable`
 * tells the one retry loop (retry.ts) whether trying again can help.
 */
export class VerityError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** An option given to a factory is missing or wrong: fail fast, never retried. */
export class InvalidOptionError extends VerityError {
  constructor(option: string, reason: string) {
    super('invalid_option', `option ${option}: ${reason}`, { context: { option } });
  }
}

/** A record on a topic cannot be read as what the topic promises. */
export class UndecodableRecordError extends VerityError {
  constructor(reason: string, context: Record<string, unknown>, cause?: unknown) {
    super('undecodable_record', reason, { context, cause });
  }
}
