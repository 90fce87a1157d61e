import { ALIAS_CONTEXTS } from '@verity/domain';
import { HttpProblem, can, requiredGrant, type Action, type Principal } from '@verity/service-kit';

/** What a command needs: `action` in any one of `contexts` (the command's own context first). */
export interface CommandPermission {
  action: Action;
  contexts: string[];
}

/** Rules of a context (authority rules, alias governance) are an admin's to change. */
const ADMIN_COMMANDS = new Set(['aliases.SetGovernance']);
const ADMIN_CONTEXTS = new Set(['sources']);
const ALIASES = 'aliases';

/** The alias context a payload names (`context: 'frontend'`), if it names one. */
function aliasContextOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const named = (body as { context?: unknown }).context;
  return typeof named === 'string' && (ALIAS_CONTEXTS as readonly string[]).includes(named) ? named : undefined;
}

/**
 * The permission `<context>.<command>` needs: `write` in its context; `admin` for authority rules
 * (`sources.*`) and alias governance. The alias registry is shared by teams, so an alias command
 * naming an alias context (`frontend`, `backend`, `system`) is also allowed by a grant of that
 * alias context (`writer:frontend`), beside `writer:aliases`.
 */
export function commandPermission(context: string, command: string, body: unknown): CommandPermission {
  const action: Action = ADMIN_CONTEXTS.has(context) || ADMIN_COMMANDS.has(`${context}.${command}`) ? 'admin' : 'write';
  const aliasContext = context === ALIASES && action === 'write' ? aliasContextOf(body) : undefined;
  return { action, contexts: aliasContext ? [context, aliasContext] : [context] };
}

/** 403 `insufficient_permission` naming the grant missing, unless the principal holds one that suffices. */
export function requireCommandPermission(principal: Principal, permission: CommandPermission): void {
  const { action, contexts } = permission;
  if (contexts.some((context) => can(principal, action, context))) return;
  const accepted = contexts.map((context) => requiredGrant(action, context));
  const alternatives = accepted.length > 1 ? ` (or ${accepted.slice(1).join(', ')})` : '';
  throw new HttpProblem(
    403,
    'insufficient_permission',
    'Insufficient permission',
    `missing permission ${accepted[0]}${alternatives}`,
    { missingPermission: accepted[0], acceptedPermissions: accepted },
  );
}

/** Whether the principal is admin where the command acts: rules such as alias ownership yield to it. */
export const isAdminFor = (principal: Principal, permission: CommandPermission): boolean =>
  permission.contexts.some((context) => can(principal, 'admin', context));
