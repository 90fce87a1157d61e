import { z } from 'zod';
import { tenantIdSchema } from '@verity/core';
import { ROLE_GRAMMAR, apiKeyIdSchema, apiKeyRolesSchema } from '@verity/domain';
import { readOptions } from './cli-options';
import { UsageError } from './errors';

export const KEYS_USAGE = `verity keys create --tenant <t> --roles <r,...> [--name <n>] [--expires <iso>]
  verity keys list [--tenant <t>]
  verity keys rotate <key id> [--expires <iso>] [--old-expires <iso>]
  verity keys revoke <key id>`;

export type KeysArgs =
  | { action: 'create'; tenant: string; roles: string[]; name?: string; expiresAt?: string }
  | { action: 'list'; tenant?: string }
  | { action: 'rotate'; keyId: string; expiresAt?: string; oldExpiresAt?: string }
  | { action: 'revoke'; keyId: string };

/** The options each action takes; a value follows each. */
const OPTIONS = {
  create: ['--tenant', '--roles', '--name', '--expires'],
  list: ['--tenant'],
  rotate: ['--expires', '--old-expires'],
  revoke: [],
} as const satisfies Record<KeysArgs['action'], readonly string[]>;

const instant = z.iso.datetime({ offset: true });

/** `value` checked by `schema`, or a usage error naming the option. */
function checked<T>(option: string, value: string, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${option} ${value}: ${what}`);
  return parsed.data;
}

function oneKeyId(action: 'rotate' | 'revoke', positional: string[]): string {
  if (positional.length !== 1)
    throw new UsageError(`keys ${action} needs exactly one key id, got ${positional.length}`);
  return checked('key id', positional[0]!, apiKeyIdSchema, '20 characters of a-z and 2-7');
}

export function parseKeysArgs(args: readonly string[]): KeysArgs {
  const [action, ...rest] = args;
  if (action !== 'create' && action !== 'list' && action !== 'rotate' && action !== 'revoke')
    throw new UsageError(`keys needs create, list, rotate or revoke, got ${action ?? 'nothing'}`);
  const { options, positional } = readOptions(`keys ${action}`, rest, OPTIONS[action]);
  const instantOf = (option: '--expires' | '--old-expires'): string | undefined => {
    const value = options.get(option);
    return value === undefined
      ? undefined
      : checked(option, value, instant, 'an ISO 8601 instant such as 2027-01-31T00:00:00Z');
  };
  const expiresAt = instantOf('--expires');
  const oldExpiresAt = instantOf('--old-expires');
  switch (action) {
    case 'create': {
      if (positional.length > 0) throw new UsageError(`keys create takes no argument, got ${positional.join(' ')}`);
      const tenant = options.get('--tenant');
      const roles = options.get('--roles');
      if (!tenant) throw new UsageError('keys create needs --tenant');
      if (!roles) throw new UsageError('keys create needs --roles');
      const name = options.get('--name');
      return {
        action,
        tenant: checked('--tenant', tenant, tenantIdSchema, 'lowercase letters, digits and dashes'),
        roles: checked(
          '--roles',
          roles,
          z
            .string()
            .transform((r) => r.split(',').map((x) => x.trim()))
            .pipe(apiKeyRolesSchema),
          `comma-separated roles, each ${ROLE_GRAMMAR}`,
        ),
        ...(name === undefined
          ? {}
          : { name: checked('--name', name, z.string().trim().min(1).max(200), '1 to 200 characters') }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
    }
    case 'list': {
      if (positional.length > 0) throw new UsageError(`keys list takes no argument, got ${positional.join(' ')}`);
      const tenant = options.get('--tenant');
      return tenant === undefined
        ? { action }
        : { action, tenant: checked('--tenant', tenant, tenantIdSchema, 'lowercase letters, digits and dashes') };
    }
    case 'rotate':
      return {
        action,
        keyId: oneKeyId(action, positional),
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(oldExpiresAt === undefined ? {} : { oldExpiresAt }),
      };
    case 'revoke':
      return { action, keyId: oneKeyId(action, positional) };
  }
}
