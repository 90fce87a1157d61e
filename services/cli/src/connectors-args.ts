import { parseArgs } from 'node:util';
import { tenantIdSchema } from '@verity/core';
import { UsageError } from './errors';

export const CONNECTORS_USAGE = `verity connectors demo-erp [--database <db>]
  verity connectors apply [--file <connector.json>] [--name <n>] [--tenant <t>] [--database <db>] [--slot <s>] [--publication <p>]
  verity connectors status [name...]
  verity connectors bench [--updates n] [--warmup n] [--pause-ms ms]`;

/** A PostgreSQL identifier we create or name unquoted: lower case, digits, underscore. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export type ConnectorsArgs =
  | { action: 'demo-erp'; database: string }
  | {
      action: 'apply';
      file?: string;
      name?: string;
      tenant?: string;
      database?: string;
      slot?: string;
      publication?: string;
    }
  | { action: 'status'; names: string[] };

const OPTIONS = {
  'demo-erp': ['database'],
  apply: ['file', 'name', 'tenant', 'database', 'slot', 'publication'],
  status: [],
} as const;

function identifier(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && !IDENTIFIER.test(value))
    throw new UsageError(
      `--${option} ${value}: lower-case letters, digits and _, at most 63, not starting with a digit`,
    );
  return value;
}

/** `verity connectors <action> ...`, every option checked before anything is touched. */
export function parseConnectorsArgs(args: readonly string[]): ConnectorsArgs {
  const [action, ...rest] = args;
  if (action !== 'demo-erp' && action !== 'apply' && action !== 'status')
    throw new UsageError(`connectors needs demo-erp, apply, status or bench, got ${action ?? 'nothing'}`);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(OPTIONS[action].map((o) => [o, { type: 'string' }])),
      allowPositionals: action === 'status',
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`connectors ${action}: ${(error as Error).message}`);
  }
  const value = (name: string): string | undefined => {
    const v = parsed.values[name];
    return typeof v === 'string' ? v : undefined;
  };
  switch (action) {
    case 'demo-erp':
      return { action, database: identifier('database', value('database')) ?? 'erp' };
    case 'apply': {
      const out: ConnectorsArgs = { action };
      const set = <K extends 'file' | 'name' | 'tenant' | 'database' | 'slot' | 'publication'>(k: K, v?: string) => {
        if (v !== undefined) out[k] = v;
      };
      set('file', value('file'));
      set('name', value('name'));
      const tenant = value('tenant');
      if (tenant !== undefined && !tenantIdSchema.safeParse(tenant).success)
        throw new UsageError(`--tenant ${tenant}: lowercase letters, digits and dashes, at most 63 characters`);
      set('tenant', tenant);
      set('database', identifier('database', value('database')));
      set('slot', identifier('slot', value('slot')));
      set('publication', identifier('publication', value('publication')));
      return out;
    }
    case 'status':
      return { action, names: parsed.positionals };
  }
}
