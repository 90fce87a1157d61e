import { RECORD_KINDS, parseInterval, polledSourceSchema, type RecordKind } from '@verity/connector-poller';
import { tenantIdSchema } from '@verity/core';
import { UsageError } from './errors';

export const POLLERS_USAGE = `verity pollers set --tenant <t> --source <s> --url <u> --interval <30s|5m|...> [--page-size n] [--kinds inventory,products] [--token <t> | --basic <user:password>]
  verity pollers list --tenant <t>
  verity pollers remove --tenant <t> --source <s>
  verity pollers compare --tenant <t> --source <s> [--json]`;

/** The body of `PUT /v1/pollers/<source>`. */
export interface PollerSettingsBody {
  url: string;
  intervalMs: number;
  pageSize?: number;
  kinds?: RecordKind[];
  credential?: { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };
}

export type PollersArgs =
  | { action: 'set'; tenant: string; source: string; settings: PollerSettingsBody }
  | { action: 'list'; tenant: string }
  | { action: 'remove'; tenant: string; source: string }
  | { action: 'compare'; tenant: string; source: string; json: boolean };

const OPTIONS = {
  set: ['--tenant', '--source', '--url', '--interval', '--page-size', '--kinds', '--token', '--basic'],
  list: ['--tenant'],
  remove: ['--tenant', '--source'],
  compare: ['--tenant', '--source', '--json'],
} as const satisfies Record<PollersArgs['action'], readonly string[]>;
/** Options that take no value. */
const FLAGS = new Set(['--json']);

function split(action: PollersArgs['action'], args: readonly string[]): Map<string, string> {
  const known: readonly string[] = OPTIONS[action];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`pollers ${action}: unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!known.includes(name)) throw new UsageError(`pollers ${action}: unknown option ${name}`);
    if (options.has(name)) throw new UsageError(`${name} given twice`);
    if (FLAGS.has(name)) {
      options.set(name, 'true');
      continue;
    }
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (!value) throw new UsageError(`${name} needs a value`);
    options.set(name, value);
  }
  return options;
}

function required(options: Map<string, string>, name: string): string {
  const value = options.get(name);
  if (value === undefined) throw new UsageError(`${name} is required`);
  return value;
}

function tenantOf(options: Map<string, string>): string {
  const tenant = required(options, '--tenant');
  if (!tenantIdSchema.safeParse(tenant).success)
    throw new UsageError(`--tenant ${tenant}: lowercase letters, digits and dashes`);
  return tenant;
}

function sourceOf(options: Map<string, string>): string {
  const source = required(options, '--source');
  if (!polledSourceSchema.safeParse(source).success)
    throw new UsageError(`--source ${source}: one of ${polledSourceSchema.options.join(', ')}`);
  return source;
}

function settingsOf(options: Map<string, string>): PollerSettingsBody {
  let intervalMs: number;
  try {
    intervalMs = parseInterval(required(options, '--interval'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--interval: ${(error as Error).message}`);
  }
  const settings: PollerSettingsBody = { url: required(options, '--url'), intervalMs };
  const pageSize = options.get('--page-size');
  if (pageSize !== undefined) {
    if (!/^\d+$/.test(pageSize)) throw new UsageError(`--page-size ${pageSize}: a whole number`);
    settings.pageSize = Number(pageSize);
  }
  const kinds = options.get('--kinds');
  if (kinds !== undefined) {
    const list = kinds.split(',').map((k) => k.trim());
    const unknown = list.filter((k) => !(RECORD_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0) throw new UsageError(`--kinds: ${unknown.join(', ')}: one of ${RECORD_KINDS.join(', ')}`);
    settings.kinds = list as RecordKind[];
  }
  const token = options.get('--token');
  const basic = options.get('--basic');
  if (token !== undefined && basic !== undefined) throw new UsageError('--token and --basic: one credential, not both');
  if (token !== undefined) settings.credential = { type: 'bearer', token };
  if (basic !== undefined) {
    const colon = basic.indexOf(':');
    if (colon < 1) throw new UsageError('--basic: user:password');
    settings.credential = { type: 'basic', username: basic.slice(0, colon), password: basic.slice(colon + 1) };
  }
  return settings;
}

export function parsePollersArgs(args: readonly string[]): PollersArgs {
  const [action, ...rest] = args;
  switch (action) {
    case 'set': {
      const options = split(action, rest);
      return { action, tenant: tenantOf(options), source: sourceOf(options), settings: settingsOf(options) };
    }
    case 'list':
      return { action, tenant: tenantOf(split(action, rest)) };
    case 'remove': {
      const options = split(action, rest);
      return { action, tenant: tenantOf(options), source: sourceOf(options) };
    }
    case 'compare': {
      const options = split(action, rest);
      return { action, tenant: tenantOf(options), source: sourceOf(options), json: options.has('--json') };
    }
    default:
      throw new UsageError(`pollers needs set, list, remove or compare, got ${action ?? 'nothing'}`);
  }
}
