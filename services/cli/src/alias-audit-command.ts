import { eventShortName, streamIdOf } from '@verity/core';
import { ALIAS_CONTEXTS, aliasesContext } from '@verity/domain';
import { contextTopics, readStream, verifyChain, type StreamEvent } from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { runAliasResolutionsAudit } from './alias-resolutions-audit';
import type { AuditIo } from './audit-command';
import { readOptions } from './cli-options';
import { UsageError } from './errors';
import { checkedTenant } from './replay-args';
import { textTable } from './text-table';
import { parsePosition } from './topic-position-arg';

export const ALIAS_AUDIT_USAGE = `verity audit aliases --tenant <t> [--alias <a>] [--context ${ALIAS_CONTEXTS.join('|')}]
                [--from <ISO time>] [--to <ISO time>] [--resolutions] [--json]`;

export interface AliasAuditArgs {
  tenant: string;
  alias?: string;
  context?: string;
  /** Milliseconds since the epoch: events at or after `from` and before `to`. */
  from?: number;
  to?: number;
  /** Who resolved which alias (the resolution log), instead of the registry's events. */
  resolutions?: true;
  json: boolean;
}

function timeOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const position = parsePosition(flag, value);
  if (position.kind !== 'time')
    throw new UsageError(`${flag} ${value}: the registry is one stream, give an ISO 8601 time`);
  return position.ms;
}

export function parseAliasAuditArgs(args: readonly string[]): AliasAuditArgs {
  const { options, flags, positional } = readOptions(
    'audit aliases',
    args,
    ['--tenant', '--alias', '--context', '--from', '--to'],
    ['--json', '--resolutions'],
  );
  if (positional.length > 0)
    throw new UsageError(`audit aliases takes no positional arguments, got ${positional.join(' ')}`);
  const tenant = options.get('--tenant');
  if (!tenant) throw new UsageError('audit aliases needs --tenant <t>');
  const context = options.get('--context');
  if (context !== undefined && !(ALIAS_CONTEXTS as readonly string[]).includes(context))
    throw new UsageError(`--context ${context}: one of ${ALIAS_CONTEXTS.join(', ')}`);
  const from = timeOption('--from', options.get('--from'));
  const to = timeOption('--to', options.get('--to'));
  if (from !== undefined && to !== undefined && to < from) throw new UsageError('--to is before --from');
  const alias = options.get('--alias');
  return {
    tenant: checkedTenant(tenant),
    ...(alias === undefined ? {} : { alias }),
    ...(context === undefined ? {} : { context }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(flags.has('--resolutions') ? { resolutions: true as const } : {}),
    json: flags.has('--json'),
  };
}

/** One change to a tenant's alias registry: what was done to which alias, by whom, when, from where. */
export interface AliasAuditRow {
  time: string;
  /** The event's short type: AliasRegistered, AliasDeactivated, GovernanceSet, AliasConflictDetected, AliasConflictResolved. */
  action: string;
  /** Absent for a change of governance, which names no alias. */
  alias?: string;
  context?: string;
  canonical?: string;
  actor: string;
  onBehalfOf?: string;
  sourceSystem: string;
  version: number;
  hash: string;
  payload: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The registry's events as rows, those the filters name; a governance change matches when no alias or context is asked for. */
export function aliasAuditRows(
  events: readonly StreamEvent[],
  filter: Omit<AliasAuditArgs, 'tenant' | 'json' | 'resolutions'>,
): AliasAuditRow[] {
  return events.flatMap(({ metadata, payload = {} }) => {
    const alias = text(payload.alias);
    const context = text(payload.context);
    const at = Date.parse(metadata.time);
    if (filter.alias !== undefined && alias !== filter.alias) return [];
    if (filter.context !== undefined && context !== filter.context) return [];
    if ((filter.from !== undefined && at < filter.from) || (filter.to !== undefined && at >= filter.to)) return [];
    const canonical = text(payload.canonical);
    return [
      {
        time: metadata.time,
        action: eventShortName(metadata.type),
        ...(alias === undefined ? {} : { alias }),
        ...(context === undefined ? {} : { context }),
        ...(canonical === undefined ? {} : { canonical }),
        actor: metadata.actor,
        ...(metadata.onBehalfOf === undefined ? {} : { onBehalfOf: metadata.onBehalfOf }),
        sourceSystem: metadata.sourceSystem,
        version: metadata.streamVersion,
        hash: metadata.hash,
        payload,
      },
    ];
  });
}

/** The stream holding a tenant's whole alias registry: the one every aliases command targets. */
export const registryStreamOf = (tenant: string): string =>
  streamIdOf(tenant, aliasesContext.commands.RegisterAlias!.aggregateId({}));

/**
 * Runs `verity audit aliases ...`: who registered, deactivated or otherwise changed which alias
 * of a tenant, and when, read from the registry's events with the chain verified. Exit 1 when
 * the chain does not hold (the rows are printed all the same). With `--resolutions`: who
 * resolved which alias instead (alias-resolutions-audit.ts).
 */
export async function runAliasAudit(
  args: readonly string[],
  io: AuditIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const request = parseAliasAuditArgs(args);
  if (request.resolutions) return runAliasResolutionsAudit(request, io);
  const env = parseEnv(platformEnvSchema, io.env);
  const platform = createPlatform('cli-alias-audit', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const topic = contextTopics('aliases', env.VERITY_TOPIC_PREFIX).events;
  const stream = registryStreamOf(request.tenant);
  const events = await readStream({ kafka: platform.kafka, topic, streamId: stream, serde: platform.serde });
  const rows = aliasAuditRows(events, request);
  io.stdout.write(
    request.json
      ? rows.map((r) => `${JSON.stringify(r)}\n`).join('')
      : textTable(
          ['TIME', 'ACTION', 'CONTEXT', 'ALIAS', 'CANONICAL', 'ACTOR', 'ON BEHALF OF', 'SOURCE', 'VERSION'],
          rows.map((r) => [
            r.time,
            r.action,
            r.context ?? '-',
            r.alias ?? '-',
            r.canonical ?? '-',
            r.actor,
            r.onBehalfOf ?? '-',
            r.sourceSystem,
            String(r.version),
          ]),
        ),
  );
  const report = verifyChain(events);
  if (report.ok) {
    io.stderr.write(
      `${rows.length} of ${events.length} registry events; chain intact, last hash ${report.lastHash || '-'}\n`,
    );
    return 0;
  }
  const b = report.firstBreak;
  io.stderr.write(`BROKEN ${stream}: ${b.kind} at version ${b.version}, offset ${b.offset}\n`);
  return 1;
}
