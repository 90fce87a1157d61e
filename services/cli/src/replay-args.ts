import { parseStreamId, tenantIdSchema } from '@verity/core';
import { contexts } from '@verity/domain';
import type { TopicPosition } from '@verity/events';
import { readOptions } from './cli-options';
import { UsageError } from './errors';
import { checkRangeOrder, parsePosition } from './topic-position-arg';

export const REPLAY_USAGE = `verity replay --context <ctx> --from <offset|ISO time> --to <offset|ISO time>
                [--stream <tenant>/<id>] [--tenant <t>] --target topic:<name>|webhook:<subscription id>|stdout`;

/**
 * Where replayed records go: another topic (bytes and headers unchanged), an outbound webhook
 * subscription (its deliveries queued again, history included), or stdout as NDJSON.
 */
export type ReplayTarget =
  { kind: 'topic'; topic: string } | { kind: 'webhook'; subscriptionId: string } | { kind: 'stdout' };

export interface ReplayArgs {
  context: string;
  /** Inclusive start and exclusive end, per partition. */
  from: TopicPosition;
  to: TopicPosition;
  stream?: string;
  tenant?: string;
  target: ReplayTarget;
}

const VALUED = ['--context', '--from', '--to', '--stream', '--tenant', '--target'];

/** A context name among the domain's, or a named usage error. */
export function knownContext(context: string): string {
  const known = contexts.map((c) => c.name);
  if (!known.includes(context)) throw new UsageError(`unknown context ${context}; known: ${known.join(', ')}`);
  return context;
}

/** A tenant id as credentials carry it, or a named usage error. */
export function checkedTenant(tenant: string): string {
  if (!tenantIdSchema.safeParse(tenant).success)
    throw new UsageError(`--tenant ${tenant}: lowercase letters, digits and dashes, at most 63 characters`);
  return tenant;
}

function parseTarget(value: string | undefined): ReplayTarget {
  if (value === 'stdout') return { kind: 'stdout' };
  if (value?.startsWith('topic:')) {
    const topic = value.slice('topic:'.length);
    // Kafka's own rule for topic names.
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
      throw new UsageError(`--target ${value}: a topic name is letters, digits, '.', '_' and '-'`);
    return { kind: 'topic', topic };
  }
  if (value?.startsWith('webhook:')) {
    const subscriptionId = value.slice('webhook:'.length);
    if (!/^whs_[a-z2-7]{16}$/.test(subscriptionId))
      throw new UsageError(`--target ${value}: a subscription id is whs_ and 16 base32 characters`);
    return { kind: 'webhook', subscriptionId };
  }
  throw new UsageError(
    `replay needs --target topic:<name>, --target webhook:<subscription id> or --target stdout, got ${value ?? 'nothing'}`,
  );
}

export function parseReplayArgs(args: readonly string[]): ReplayArgs {
  const { options, positional } = readOptions('replay', args, VALUED);
  if (positional.length > 0) throw new UsageError(`replay takes no positional arguments, got ${positional.join(' ')}`);
  const context = options.get('--context');
  if (!context) throw new UsageError('replay needs --context <name>');
  const fromValue = options.get('--from');
  const toValue = options.get('--to');
  if (!fromValue || !toValue) throw new UsageError('replay needs --from and --to (an offset or an ISO 8601 time)');
  const from = parsePosition('--from', fromValue);
  const to = parsePosition('--to', toValue);
  checkRangeOrder(from, to);
  const stream = options.get('--stream');
  if (stream !== undefined) {
    const parsed = parseStreamId(stream);
    if (!parsed || !tenantIdSchema.safeParse(parsed.tenant).success)
      throw new UsageError(`--stream ${stream}: not <tenant>/<aggregate id>`);
  }
  const tenant = options.get('--tenant');
  if (tenant !== undefined) checkedTenant(tenant);
  if (stream !== undefined && tenant !== undefined && parseStreamId(stream)!.tenant !== tenant)
    throw new UsageError(`--stream ${stream} is not of --tenant ${tenant}`);
  return {
    context: knownContext(context),
    from,
    to,
    ...(stream === undefined ? {} : { stream }),
    ...(tenant === undefined ? {} : { tenant }),
    target: parseTarget(options.get('--target')),
  };
}
