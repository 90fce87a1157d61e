import { VerityError } from '@verity/core';

/** What a request does to a context: read it, write to it, or change its rules and access. */
export type Action = 'read' | 'write' | 'admin';
export type Role = 'reader' | 'writer' | 'admin';
/** Permissions beyond roles: `act-as` (honour `X-Actor`), `platform-operator` (act for other tenants). */
export type Permission = 'act-as' | 'platform-operator';

/** `reader` | `writer` | `admin`, for all contexts or one (`writer:inventory`). */
export interface Grant {
  role: Role;
  /** The one context the role holds for; absent: every context. */
  context?: string;
}

/** Who is calling, as a verified credential says. */
export interface Principal {
  kind: 'jwt' | 'api-key';
  /** JWT `sub`, or the API key id: the actor recorded on events. */
  subject: string;
  tenant: string;
  grants: Grant[];
  permissions: ReadonlySet<Permission>;
}

/** A role string of a credential is none Verity knows: the credential is refused, never half-read. */
export class InvalidRoleError extends VerityError {
  constructor(role: string) {
    super('invalid_role', `unknown role ${JSON.stringify(role)}`, { context: { role } });
  }
}

/** admin ⊇ writer ⊇ reader. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { reader: 1, writer: 2, admin: 3 };
const ROLE_FOR: Record<Action, Role> = { read: 'reader', write: 'writer', admin: 'admin' };
const PERMISSIONS: ReadonlySet<string> = new Set<Permission>(['act-as', 'platform-operator']);
const GRANT = /^(reader|writer|admin)(?::([a-z][a-z0-9-]*))?$/;

/** Reads a credential's roles (`writer`, `reader:catalog`, `act-as`, ...); throws InvalidRoleError on any unknown one. */
export function parseRoles(roles: readonly string[]): { grants: Grant[]; permissions: Set<Permission> } {
  const grants: Grant[] = [];
  const permissions = new Set<Permission>();
  for (const role of roles) {
    if (PERMISSIONS.has(role)) {
      permissions.add(role as Permission);
      continue;
    }
    const match = GRANT.exec(role);
    if (!match) throw new InvalidRoleError(role);
    const context = match[2];
    grants.push(context === undefined ? { role: match[1] as Role } : { role: match[1] as Role, context });
  }
  return { grants, permissions };
}

/** Whether `p` may do `action` in `context`: admin ⊇ writer ⊇ reader, a context-free grant covers every context. */
export function can(p: Principal, action: Action, context: string): boolean {
  return covers(p, { role: ROLE_FOR[action], context });
}

/** Whether `p` holds a grant at least as wide as `wanted`: a role as high, for every context or the same one. */
export function covers(p: Principal, wanted: { role: Role; context?: string | undefined }): boolean {
  return p.grants.some(
    (g) => ROLE_RANK[g.role] >= ROLE_RANK[wanted.role] && (g.context === undefined || g.context === wanted.context),
  );
}

/** The grant `action` in `context` needs, as a credential would carry it: `writer:inventory`. */
export const requiredGrant = (action: Action, context: string): string => `${ROLE_FOR[action]}:${context}`;
