import { basename } from 'node:path';
import { z } from 'zod';
import { SOURCE_SYSTEMS, tenantIdSchema, type SourceSystem } from '@verity/core';
import { IMPORT_FORMATS, formatOfFileName, type ImportFormat } from '@verity/connector-import';
import { readOptions } from './cli-options';
import { UsageError } from './errors';

export const IMPORT_USAGE = `verity import <file> --type <context.Command> [--tenant <t>] [--format csv|ndjson]
                [--report <path>] [--concurrency <n>] [--actor <who>] [--source-system <s>] [--restart]`;

export interface ImportArgs {
  file: string;
  type: string;
  tenant: string;
  format: ImportFormat;
  /** Every rejected or invalid row, one JSON object a line. */
  report: string;
  /** Commands awaiting their reply at once. */
  concurrency: number;
  /** Recorded as each command's actor; default `cli:<user name>`. */
  actor?: string;
  sourceSystem: SourceSystem;
  /** Ignore the file's checkpoint: every row is sent again (repeats are answered from the streams). */
  restart: boolean;
}

/** Commands awaiting a reply at once by default: enough to keep the processors' batches full. */
export const DEFAULT_IMPORT_CONCURRENCY = 256;

const VALUED = ['--type', '--tenant', '--format', '--report', '--concurrency', '--actor', '--source-system'] as const;
const FLAGS = ['--restart'] as const;

const concurrencySchema = z.coerce.number().int().min(1).max(4096);

export function parseImportArgs(args: readonly string[]): ImportArgs {
  const { options, flags, positional } = readOptions('import', args, VALUED, FLAGS);
  if (positional.length !== 1) throw new UsageError(`import needs exactly one file, got ${positional.length}`);
  const file = positional[0]!;
  const type = options.get('--type');
  if (!type) throw new UsageError('import needs --type <context.Command>, e.g. --type inventory.ReceiveStock');

  const tenant = options.get('--tenant') ?? 'default';
  if (!tenantIdSchema.safeParse(tenant).success)
    throw new UsageError(`--tenant ${tenant}: lowercase letters, digits and dashes, at most 63 characters`);

  const named = options.get('--format');
  if (named !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(named))
    throw new UsageError(`--format ${named}: one of ${IMPORT_FORMATS.join(', ')}`);
  const format = (named as ImportFormat | undefined) ?? formatOfFileName(file);
  if (!format) throw new UsageError(`${basename(file)}: name it .csv, .ndjson or .jsonl, or pass --format csv|ndjson`);

  const concurrency = concurrencySchema.safeParse(options.get('--concurrency') ?? DEFAULT_IMPORT_CONCURRENCY);
  if (!concurrency.success)
    throw new UsageError(`--concurrency ${options.get('--concurrency')}: a whole number from 1 to 4096`);

  const sourceSystem = options.get('--source-system') ?? 'api';
  if (!(SOURCE_SYSTEMS as readonly string[]).includes(sourceSystem))
    throw new UsageError(`--source-system ${sourceSystem}: one of ${SOURCE_SYSTEMS.join(', ')}`);

  const actor = options.get('--actor');
  return {
    file,
    type,
    tenant,
    format,
    report: options.get('--report') ?? `${file}.rejected.ndjson`,
    concurrency: concurrency.data,
    ...(actor !== undefined ? { actor } : {}),
    sourceSystem: sourceSystem as SourceSystem,
    restart: flags.has('--restart'),
  };
}
