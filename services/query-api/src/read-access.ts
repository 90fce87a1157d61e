import type { Request, RequestHandler } from 'express';
import { ALIAS_CONTEXTS } from '@verity/domain';
import { can, HttpProblem, principalOf, requiredGrant, tenantOf, type Principal } from '@verity/service-kit';

/** The contexts whose read models the query-api serves, as credentials name them (`reader:inventory`). */
export type ReadContext = 'inventory' | 'catalog' | 'pricing' | 'sources' | 'aliases' | 'sync';

const isAliasContext = (value: unknown): value is string =>
  typeof value === 'string' && (ALIAS_CONTEXTS as readonly string[]).includes(value);

/**
 * The grant a read lacks, or undefined when the principal may read: `read` on `context`, or,
 * for a read of one alias context (`frontend`, `backend`, `system`), `read` on that one.
 */
export function missingReadGrant(
  principal: Principal,
  context: ReadContext,
  aliasContext?: unknown,
): string | undefined {
  if (can(principal, 'read', context)) return undefined;
  if (isAliasContext(aliasContext) && can(principal, 'read', aliasContext)) return undefined;
  return requiredGrant('read', context);
}

/** The 403 of a read the credential may not make, as the kit's `requirePermission` answers it. */
export const insufficientPermission = (missing: string): HttpProblem =>
  new HttpProblem(403, 'insufficient_permission', 'Insufficient permission', `missing permission ${missing}`, {
    missingPermission: missing,
  });

/**
 * Mount after the guard: 403 naming the grant missing unless the credential may read `context`
 * (or the alias context `aliasContextOf` reads from the request, when it names one).
 */
export function requireRead(context: ReadContext, aliasContextOf?: (req: Request) => unknown): RequestHandler {
  return (req, _res, next) => {
    const missing = missingReadGrant(principalOf(req), context, aliasContextOf?.(req));
    if (missing) throw insufficientPermission(missing);
    next();
  };
}

/** For a route that reads no tenant's data: `X-Tenant-Id` may still only repeat the credential's (403 `foreign_tenant`). */
export const requireOwnTenant: RequestHandler = (req, _res, next) => {
  tenantOf(req);
  next();
};
