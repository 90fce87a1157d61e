import type { Request, RequestHandler } from 'express';
import { tenantIdSchema } from '@verity/core';
import { HttpProblem } from '../problem';
import { can, requiredGrant, type Action, type Principal } from './principal';

/** The principal the guard set; a route that reads it unguarded is refused, never served anonymously. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new HttpProblem(401, 'unauthenticated', 'Unauthenticated', 'this route needs a credential');
  return req.principal;
}

/**
 * The tenant a request acts for: the credential's. `X-Tenant-Id` may repeat it; a value that is
 * no tenant id is 400 `invalid_header` whoever sends it; another tenant is 403, except for a
 * `platform-operator`, who acts for the tenant named.
 */
export function tenantOf(req: Request): string {
  const principal = principalOf(req);
  const asked = req.get('x-tenant-id');
  if (asked === undefined || asked === principal.tenant) return principal.tenant;
  const parsed = tenantIdSchema.safeParse(asked);
  if (!parsed.success)
    throw new HttpProblem(
      400,
      'invalid_header',
      'Invalid header',
      `X-Tenant-Id: ${parsed.error.issues[0]?.message ?? 'not a tenant id'}`,
      { header: 'X-Tenant-Id' },
    );
  if (!principal.permissions.has('platform-operator'))
    throw new HttpProblem(
      403,
      'foreign_tenant',
      'Foreign tenant',
      `the credential is for tenant ${principal.tenant}, not ${JSON.stringify(asked)}`,
    );
  // Recorded by the request log (http-app.ts): who crossed into which tenant.
  req.actedForTenant = asked;
  return asked;
}

/** Who a request's events are recorded as. */
export interface Actor {
  /** The credential's subject (JWT `sub` or API key id): always who authenticated. */
  actor: string;
  /** `X-Actor`, for credentials holding `act-as` (a connector acting for an ERP user). */
  onBehalfOf?: string;
}

/** The actor from the credential; `X-Actor` is ignored unless the credential may act as others. */
export function actorOf(req: Request): Actor {
  const principal = principalOf(req);
  const claimed = req.get('x-actor');
  if (claimed === undefined || !principal.permissions.has('act-as')) return { actor: principal.subject };
  // eslint-disable-next-line no-control-regex
  if (claimed.length === 0 || claimed.length > 200 || /[\u0000-\u001f\u007f]/.test(claimed))
    throw new HttpProblem(400, 'invalid_actor', 'Invalid actor', 'X-Actor must be 1 to 200 printable characters');
  return { actor: principal.subject, onBehalfOf: claimed };
}

/**
 * A guard for a route: 403 `insufficient_permission` naming the grant missing (`writer:inventory`)
 * unless the principal may do `action` in the context (fixed, or read from the request).
 */
export function requirePermission(action: Action, context: string | ((req: Request) => string)): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    const ctx = typeof context === 'string' ? context : context(req);
    if (can(principal, action, ctx)) return next();
    const missing = requiredGrant(action, ctx);
    throw new HttpProblem(403, 'insufficient_permission', 'Insufficient permission', `missing permission ${missing}`, {
      missingPermission: missing,
    });
  };
}
