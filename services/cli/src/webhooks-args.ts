import { z } from 'zod';
import { tenantIdSchema } from '@verity/core';
import { WEBHOOK_SOURCES, shopDomainSchema, webhookSecretIdSchema, type WebhookSource } from '@verity/domain';
import { readOptions } from './cli-options';
import { UsageError } from './errors';

export const WEBHOOKS_USAGE = `verity webhooks secret set --tenant <t> --source <s> [--secret <whsec_...>] [--shop-domain <d>] [--expires <iso>]
  verity webhooks secret list [--tenant <t>]
  verity webhooks secret remove <secret id>
  verity webhooks bench [--duration <s>] [--warmup <s>] [--connections <n>] [--skus <n>]`;

export type WebhooksArgs =
  | {
      action: 'set';
      tenant: string;
      source: WebhookSource;
      secret?: string;
      shopDomain?: string;
      expiresAt?: string;
    }
  | { action: 'list'; tenant?: string }
  | { action: 'remove'; secretId: string };

const OPTIONS = {
  set: ['--tenant', '--source', '--secret', '--shop-domain', '--expires'],
  list: ['--tenant'],
  remove: [],
} as const satisfies Record<WebhooksArgs['action'], readonly string[]>;

function checked<T>(option: string, value: string, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(value);
  // A secret given on the command line is never echoed back.
  if (!parsed.success) throw new UsageError(`${option}${option === '--secret' ? '' : ` ${value}`}: ${what}`);
  return parsed.data;
}

/** `verity webhooks secret <action> ...`, checked before anything connects. */
export function parseWebhooksArgs(args: readonly string[]): WebhooksArgs {
  const [noun, action, ...rest] = args;
  if (noun !== 'secret') throw new UsageError(`webhooks needs secret, got ${noun ?? 'nothing'}`);
  if (action !== 'set' && action !== 'list' && action !== 'remove')
    throw new UsageError(`webhooks secret needs set, list or remove, got ${action ?? 'nothing'}`);
  const { options, positional } = readOptions(`webhooks secret ${action}`, rest, OPTIONS[action]);
  if (action === 'remove') {
    if (positional.length !== 1)
      throw new UsageError(`webhooks secret remove needs exactly one secret id, got ${positional.length}`);
    return {
      action,
      secretId: checked('secret id', positional[0]!, webhookSecretIdSchema, 'whk_ and 16 characters of a-z and 2-7'),
    };
  }
  if (positional.length > 0) throw new UsageError(`webhooks secret ${action} takes no argument`);
  const tenantOption = options.get('--tenant');
  const tenant =
    tenantOption === undefined
      ? undefined
      : checked('--tenant', tenantOption, tenantIdSchema, 'lowercase letters, digits and dashes');
  if (action === 'list') return { action, ...(tenant === undefined ? {} : { tenant }) };
  if (!tenant) throw new UsageError('webhooks secret set needs --tenant');
  const sourceOption = options.get('--source');
  if (!sourceOption) throw new UsageError('webhooks secret set needs --source');
  const source = checked('--source', sourceOption, z.enum(WEBHOOK_SOURCES), `one of ${WEBHOOK_SOURCES.join(', ')}`);
  const secret = options.get('--secret');
  const shop = options.get('--shop-domain');
  const expires = options.get('--expires');
  if (shop !== undefined && source !== 'shopify') throw new UsageError('--shop-domain is for --source shopify');
  return {
    action,
    tenant,
    source,
    ...(secret === undefined ? {} : { secret }),
    ...(shop === undefined ? {} : { shopDomain: checked('--shop-domain', shop, shopDomainSchema, 'a host name') }),
    ...(expires === undefined
      ? {}
      : { expiresAt: checked('--expires', expires, z.iso.datetime({ offset: true }), 'an ISO 8601 instant') }),
  };
}
