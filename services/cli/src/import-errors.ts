import { VerityError } from '@verity/core';

/** The file to import is not there (or is not a file). */
export class ImportFileNotFoundError extends VerityError {
  constructor(path: string) {
    super('import_file_not_found', `no file ${path} to import`, { context: { path } });
  }
}

/** `--type` names no command a file can be imported as. */
export class UnknownImportTypeError extends VerityError {
  constructor(type: string, known: readonly string[]) {
    super('unknown_command_type', `no command type ${type}: one of ${known.join(', ')}`, { context: { type } });
  }
}

/** The file's checkpoint is of another import of it (another type or tenant): resuming it would mix the two. */
export class CheckpointMismatchError extends VerityError {
  constructor(path: string, was: { type: string; tenant: string }) {
    super(
      'checkpoint_mismatch',
      `${path} is the checkpoint of importing this file as ${was.type} for tenant ${was.tenant}: ` +
        'import it the same way to resume, or pass --restart to start over',
      { context: { path, ...was } },
    );
  }
}
