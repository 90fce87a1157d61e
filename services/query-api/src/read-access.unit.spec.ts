import type { Request } from 'express';
import { HttpProblem, parseRoles, type Principal } from '@verity/service-kit';
import { missingReadGrant, requireRead, requireOwnTenant } from './read-access';

const principal = (...roles: string[]): Principal => ({
  kind: 'jwt',
  subject: 's',
  tenant: 'acme',
  ...parseRoles(roles),
});
const requestOf = (p: Principal, params: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  ({ principal: p, params, get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;

/** What a handler did: passed on, or threw the problem a client would get. */
function run(handler: ReturnType<typeof requireRead>, req: Request): 'next' | HttpProblem {
  let outcome: 'next' | HttpProblem | undefined;
  try {
    void handler(req, {} as never, () => (outcome = 'next'));
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    outcome = error;
  }
  return outcome!;
}

describe('read access', () => {
  it('a reader of the context, or of every context, or a writer or admin of it, may read', () => {
    for (const roles of [['reader:inventory'], ['reader'], ['writer:inventory'], ['admin']])
      expect({ roles, missing: missingReadGrant(principal(...roles), 'inventory') }).toEqual({
        roles,
        missing: undefined,
      });
  });

  it('another context, or a permission without a role, is the grant missing', () => {
    expect(missingReadGrant(principal('reader:catalog'), 'inventory')).toBe('reader:inventory');
    expect(missingReadGrant(principal('act-as'), 'pricing')).toBe('reader:pricing');
  });

  it('a read of one alias context takes its reader; anything else named is no alias context', () => {
    expect(missingReadGrant(principal('reader:frontend'), 'aliases', 'frontend')).toBeUndefined();
    expect(missingReadGrant(principal('reader:frontend'), 'aliases', 'backend')).toBe('reader:aliases');
    expect(missingReadGrant(principal('reader:catalog'), 'aliases', 'catalog')).toBe('reader:aliases');
    expect(missingReadGrant(principal('reader:frontend'), 'aliases', ['frontend'])).toBe('reader:aliases');
  });

  it('requireRead answers 403 insufficient_permission naming the grant', () => {
    const refused = run(requireRead('catalog'), requestOf(principal('reader:inventory')));
    expect(refused).toMatchObject({
      status: 403,
      code: 'insufficient_permission',
      message: 'missing permission reader:catalog',
    });
    expect((refused as HttpProblem).extra).toEqual({ missingPermission: 'reader:catalog' });
    const fromParam = requireRead('aliases', (req) => req.params.context);
    expect(run(fromParam, requestOf(principal('reader:system'), { context: 'system' }))).toBe('next');
  });

  it('an unguarded request is a 401, never served', () => {
    expect(run(requireRead('catalog'), {} as Request)).toMatchObject({ status: 401 });
  });

  it("requireOwnTenant refuses another tenant's X-Tenant-Id", () => {
    expect(run(requireOwnTenant, requestOf(principal('reader'), {}, { 'x-tenant-id': 'acme' }))).toBe('next');
    expect(run(requireOwnTenant, requestOf(principal('reader'), {}, { 'x-tenant-id': 'globex' }))).toMatchObject({
      status: 403,
      code: 'foreign_tenant',
    });
  });
});
