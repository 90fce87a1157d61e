import { VerityError } from '@verity/core';

/** A setting the service cannot start with; every wrong variable is named at once. */
export class InvalidConfigurationError extends VerityError {
  constructor(problems: string[]) {
    super('invalid_configuration', `invalid configuration: ${problems.join('; ')}`, { context: { problems } });
  }
}
