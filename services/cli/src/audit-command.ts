import { contexts } from '@verity/domain';
import { VerityError, eventShortName, parseStreamId, tenantIdSchema } from '@verity/core';
import {
  auditHistory,
  auditVerify,
  contextTopics,
  type ChainBreakKind,
  type HistoryRow,
  type ReadProgress,
  type ReadStreamOptions,
} from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { UsageError } from './errors';
import { textTable } from './text-table';

export const AUDIT_USAGE = 'verity audit verify|history <tenant>/<aggregate id> [--context <name>] [--json]';
const DEFAULT_CONTEXT = 'inventory';

export interface AuditArgs {
  action: 'verify' | 'history';
  streamId: string;
  /** The context whose events topic holds the stream; default `inventory`. */
  context: string;
  /** history only: JSON lines instead of a table. */
  json: boolean;
}

/** Where the command writes and what configures it; the process's own by default. */
export interface AuditIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The stream has no events in the topic: most likely a wrong id or context. */
export class UnknownStreamError extends VerityError {
  constructor(streamId: string, topic: string) {
    super('unknown_stream', `no events of stream ${streamId} in ${topic}`, { context: { streamId, topic } });
  }
}

export function parseAuditArgs(args: readonly string[]): AuditArgs {
  const [action, ...rest] = args;
  if (action !== 'verify' && action !== 'history')
    throw new UsageError(`audit needs verify, history, export, verify-archive or aliases, got ${action ?? 'nothing'}`);
  const positional: string[] = [];
  let context = DEFAULT_CONTEXT;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--context' || arg.startsWith('--context=')) {
      const value = arg === '--context' ? rest[++i] : arg.slice('--context='.length);
      if (!value) throw new UsageError('--context needs a context name');
      context = value;
    } else if (arg === '--json' && action === 'history') {
      json = true;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`audit ${action}: unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1)
    throw new UsageError(`audit ${action} needs exactly one stream id, got ${positional.length}`);
  const streamId = positional[0]!;
  const parsed = parseStreamId(streamId);
  if (!parsed) throw new UsageError(`stream id ${streamId} is not <tenant>/<aggregate id>`);
  if (!tenantIdSchema.safeParse(parsed.tenant).success)
    throw new UsageError(`stream id ${streamId}: tenant must be lowercase letters, digits and dashes`);
  const known = contexts.map((c) => c.name);
  if (!known.includes(context)) throw new UsageError(`unknown context ${context}; known: ${known.join(', ')}`);
  return { action, streamId, context, json };
}

const breakMeanings: Record<ChainBreakKind, string> = {
  hash_mismatch: 'its hash does not match its content: tampered with, or a copy with changes',
  duplicate_version: 'a version already seen appears again',
  out_of_order: 'a later version comes before the expected one',
  version_gap: 'the expected version is missing',
  prev_hash_mismatch: "it does not point at the previous event's hash",
};

/** Runs `verity audit ...`; returns the exit code (1 when the chain is broken). */
export async function runAudit(
  args: readonly string[],
  io: AuditIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { action, streamId, context, json } = parseAuditArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  // Logs would mix with the report on stdout: quiet unless asked for; failures surface as the error.
  const platform = createPlatform('cli-audit', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const topic = contextTopics(context, env.VERITY_TOPIC_PREFIX).events;
  const read: ReadStreamOptions = {
    kafka: platform.kafka,
    topic,
    streamId,
    onProgress: (p: ReadProgress) =>
      io.stderr.write(
        `scanned ${p.scanned} records of ${topic}[${p.partition}] (offset ${p.position} of ${p.end}), ${p.matched} of ${streamId}\n`,
      ),
  };

  if (action === 'history') {
    const rows = await auditHistory({ ...read, serde: platform.serde });
    if (rows.length === 0) throw new UnknownStreamError(streamId, topic);
    io.stdout.write(json ? rows.map((r) => `${JSON.stringify(r)}\n`).join('') : historyTable(rows));
    return 0;
  }

  const { events, report } = await auditVerify(read);
  if (events.length === 0) throw new UnknownStreamError(streamId, topic);
  const where = `${topic} partition ${events[0]!.partition}`;
  if (report.ok) {
    io.stdout.write(
      `OK ${streamId}: ${report.events} events, chain intact (${where})\nlast version ${report.lastVersion}, hash ${report.lastHash}\n`,
    );
    return 0;
  }
  const b = report.firstBreak;
  io.stdout.write(
    `BROKEN ${streamId}: ${b.kind} at version ${b.version}, offset ${b.offset} (event ${b.position + 1} of ${report.events}, ${where})\n` +
      `  ${breakMeanings[b.kind]}\n  expected ${b.expected || "''"}\n  actual   ${b.actual || "''"}\n`,
  );
  return 1;
}

/** The history as a table; `ON BEHALF OF` is the ERP user an act-as credential named, `-` when none. */
export function historyTable(rows: HistoryRow[]): string {
  const header = ['VERSION', 'TIME', 'TYPE', 'ACTOR', 'ON BEHALF OF', 'SOURCE', 'PAYLOAD'];
  const lines = rows.map((r) => [
    String(r.version),
    r.time,
    eventShortName(r.type),
    r.actor,
    r.onBehalfOf ?? '-',
    `${r.sourceSystem} ${r.sourceTimestamp}`,
    JSON.stringify(r.payload),
  ]);
  return textTable(header, lines);
}
