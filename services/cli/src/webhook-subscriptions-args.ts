import { webhookSubscriptionIdSchema } from '@verity/domain';
import { UsageError } from './errors';

export const WEBHOOK_SUBSCRIPTIONS_USAGE = `verity webhook-subscriptions create --url <https url> --events <type,...> [--stream <id>] [--secret <whsec_...>]
  verity webhook-subscriptions list | show <id> | delete <id> | enable <id> | disable <id>
  verity webhook-subscriptions rotate <id> [--overlap <seconds the previous secret still signs; 0 = none>]
  verity webhook-subscriptions deliveries <id> [--status pending|delivered|dead] [--limit <n>]
  verity webhook-subscriptions redeliver <id> <delivery id>
  verity webhook-subscriptions bench [--events <n>] [--streams <n>]`;

export type WebhookSubscriptionsArgs =
  | { action: 'create'; url: string; eventTypes: string[]; streamId?: string; secret?: string }
  | { action: 'list' }
  | { action: 'show' | 'delete' | 'enable' | 'disable'; id: string }
  | { action: 'rotate'; id: string; overlapSeconds?: number }
  | { action: 'deliveries'; id: string; status?: string; limit?: number }
  | { action: 'redeliver'; id: string; deliveryId: string }
  | { action: 'bench'; events: number; streams: number };
type Action = WebhookSubscriptionsArgs['action'];

/** The options each action takes; a value follows each. */
const OPTIONS: Record<Action, readonly string[]> = {
  create: ['--url', '--events', '--stream', '--secret'],
  list: [],
  show: [],
  delete: [],
  rotate: ['--overlap'],
  enable: [],
  disable: [],
  deliveries: ['--status', '--limit'],
  redeliver: [],
  bench: ['--events', '--streams'],
};
const isAction = (action: string | undefined): action is Action =>
  action !== undefined && Object.prototype.hasOwnProperty.call(OPTIONS, action);

/** `--name value` and `--name=value` alike; positional arguments apart. */
function split(action: Action, args: readonly string[]) {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!OPTIONS[action].includes(name))
      throw new UsageError(`webhook-subscriptions ${action}: unknown option ${name}`);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (!value) throw new UsageError(`${name} needs a value`);
    if (options.has(name)) throw new UsageError(`${name} given twice`);
    options.set(name, value);
  }
  return { options, positional };
}

function positive(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} ${value}: a whole number above 0`);
  return n;
}

function wholeNumber(option: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new UsageError(`${option} ${value}: a whole number, 0 or more`);
  return n;
}

function subscriptionId(value: string | undefined): string {
  if (!webhookSubscriptionIdSchema.safeParse(value).success)
    throw new UsageError(`subscription id ${value ?? '(none)'}: whs_ and 16 characters of a-z and 2-7`);
  return value!;
}

export function parseWebhookSubscriptionsArgs(args: readonly string[]): WebhookSubscriptionsArgs {
  const [action, ...rest] = args;
  if (!isAction(action))
    throw new UsageError(`webhook-subscriptions needs ${Object.keys(OPTIONS).join(', ')}, got ${action ?? 'nothing'}`);
  const { options, positional } = split(action, rest);
  const arity = (n: number) => {
    if (positional.length !== n)
      throw new UsageError(`webhook-subscriptions ${action} takes ${n} argument(s), got ${positional.length}`);
  };
  switch (action) {
    case 'create': {
      arity(0);
      const url = options.get('--url');
      const events = options.get('--events');
      if (!url || !events) throw new UsageError('webhook-subscriptions create needs --url and --events');
      const stream = options.get('--stream');
      const secret = options.get('--secret');
      return {
        action,
        url,
        eventTypes: events
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
        ...(stream === undefined ? {} : { streamId: stream }),
        ...(secret === undefined ? {} : { secret }),
      };
    }
    case 'list':
      arity(0);
      return { action };
    case 'deliveries': {
      arity(1);
      const status = options.get('--status');
      const limit = options.get('--limit');
      return {
        action,
        id: subscriptionId(positional[0]),
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit: positive('--limit', limit, 100) }),
      };
    }
    case 'redeliver':
      arity(2);
      return { action, id: subscriptionId(positional[0]), deliveryId: positional[1]! };
    case 'rotate': {
      arity(1);
      const overlap = options.get('--overlap');
      return {
        action,
        id: subscriptionId(positional[0]),
        ...(overlap === undefined ? {} : { overlapSeconds: wholeNumber('--overlap', overlap) }),
      };
    }
    case 'bench':
      arity(0);
      return {
        action,
        events: positive('--events', options.get('--events'), 20_000),
        streams: positive('--streams', options.get('--streams'), 200),
      };
    default:
      arity(1);
      return { action, id: subscriptionId(positional[0]) };
  }
}
