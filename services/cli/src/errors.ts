import { VerityError } from '@verity/core';

/** The command line was wrong: printed with the usage, exit code 2. */
export class UsageError extends VerityError {
  constructor(message: string) {
    super('usage', message);
  }
}
