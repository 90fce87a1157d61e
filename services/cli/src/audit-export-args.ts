import type { TopicPosition } from '@verity/events';
import { readOptions } from './cli-options';
import { UsageError } from './errors';
import { checkedTenant, knownContext } from './replay-args';
import { checkRangeOrder, parsePosition } from './topic-position-arg';

export const AUDIT_EXPORT_USAGE = `verity audit export --tenant <t> [--context <ctx>] [--from <offset|ISO time>] [--to <offset|ISO time>]
                [--format ndjson|csv] [--out <file>] | [--archive <file>]
  verity audit verify-archive <file>`;

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where an export goes: stdout, a file, or a hash-manifested archive. */
export type ExportTarget = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'archive'; path: string };

export interface AuditExportArgs {
  tenant: string;
  /** One context's events, or every context's when absent. */
  context?: string;
  /** Default: each partition's start and end. */
  from: TopicPosition;
  to: TopicPosition;
  format: ExportFormat;
  target: ExportTarget;
}

const VALUED = ['--tenant', '--context', '--from', '--to', '--format', '--out', '--archive'];

export function parseAuditExportArgs(args: readonly string[]): AuditExportArgs {
  const { options, positional } = readOptions('audit export', args, VALUED);
  if (positional.length > 0)
    throw new UsageError(`audit export takes no positional arguments, got ${positional.join(' ')}`);
  const tenant = options.get('--tenant');
  if (!tenant) throw new UsageError('audit export needs --tenant <t>');
  const context = options.get('--context');
  const fromValue = options.get('--from');
  const toValue = options.get('--to');
  const from: TopicPosition = fromValue === undefined ? { kind: 'start' } : parsePosition('--from', fromValue);
  const to: TopicPosition = toValue === undefined ? { kind: 'end' } : parsePosition('--to', toValue);
  checkRangeOrder(from, to);
  if (context === undefined && (from.kind === 'offset' || to.kind === 'offset'))
    throw new UsageError('offsets are per topic: --from/--to as offsets need --context');
  const named = options.get('--format');
  if (named !== undefined && !(EXPORT_FORMATS as readonly string[]).includes(named))
    throw new UsageError(`--format ${named}: one of ${EXPORT_FORMATS.join(', ')}`);
  const out = options.get('--out');
  const archive = options.get('--archive');
  if (archive !== undefined && out !== undefined) throw new UsageError('--archive and --out: give one');
  if (archive !== undefined && named === 'csv') throw new UsageError('--archive holds NDJSON; leave out --format csv');
  return {
    tenant: checkedTenant(tenant),
    ...(context === undefined ? {} : { context: knownContext(context) }),
    from,
    to,
    format: (named as ExportFormat | undefined) ?? 'ndjson',
    target:
      archive !== undefined
        ? { kind: 'archive', path: archive }
        : out !== undefined
          ? { kind: 'file', path: out }
          : { kind: 'stdout' },
  };
}

/** `verify-archive <file>`: the one archive to check. */
export function parseVerifyArchiveArgs(args: readonly string[]): string {
  const { positional } = readOptions('audit verify-archive', args, []);
  if (positional.length !== 1)
    throw new UsageError(`audit verify-archive needs exactly one file, got ${positional.length}`);
  return positional[0]!;
}
