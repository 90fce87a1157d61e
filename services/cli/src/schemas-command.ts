import { checkSchemas } from '@verity/events';
import { UsageError } from './errors';

export const SCHEMAS_USAGE = `verity schemas check [dir]
                                 naming, versions and BACKWARD_TRANSITIVE compatibility of every schema`;

/** `verity schemas check [dir]`: the compatibility gate, before any registry sees a schema. Exit 1 when it fails. */
export function runSchemas(args: string[]): void {
  const [action, dir, ...rest] = args;
  if (action !== 'check' || rest.length > 0) throw new UsageError(`schemas needs: check [dir]`);
  const report = checkSchemas(dir);
  for (const event of report.events) process.stdout.write(`${event.fullName}  v${event.versions.join(', v')}\n`);
  for (const error of report.errors) process.stderr.write(`${error.name} [${error.code}]: ${error.message}\n`);
  process.stdout.write(
    report.ok
      ? `ok: ${report.events.length} events in ${report.dir}\n`
      : `failed: ${report.errors.length} problems in ${report.dir}\n`,
  );
  if (!report.ok) process.exitCode = 1;
}
