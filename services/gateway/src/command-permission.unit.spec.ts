import { parseRoles, type Principal } from '@verity/service-kit';
import { commandPermission, isAdminFor, requireCommandPermission } from './command-permission';

const principal = (...roles: string[]): Principal => ({
  kind: 'jwt',
  subject: 'someone',
  tenant: 'acme',
  ...parseRoles(roles),
});

const refusal = (p: Principal, context: string, command: string, body: unknown = {}) => {
  try {
    requireCommandPermission(p, commandPermission(context, command, body));
    return undefined;
  } catch (error) {
    return error as { status: number; code: string; extra: Record<string, unknown> };
  }
};

describe('command permissions', () => {
  it('needs write in the command’s context, admin for authority rules and alias governance', () => {
    expect(commandPermission('inventory', 'ReceiveStock', {})).toEqual({ action: 'write', contexts: ['inventory'] });
    expect(commandPermission('sources', 'SetAuthorityRule', {})).toEqual({ action: 'admin', contexts: ['sources'] });
    expect(commandPermission('aliases', 'SetGovernance', { context: 'frontend' })).toEqual({
      action: 'admin',
      contexts: ['aliases'],
    });
    expect(refusal(principal('writer:catalog'), 'inventory', 'ReceiveStock')).toMatchObject({
      status: 403,
      code: 'insufficient_permission',
      extra: { missingPermission: 'writer:inventory' },
    });
    expect(refusal(principal('writer'), 'sources', 'SetAuthorityRule')).toMatchObject({ status: 403 });
    expect(refusal(principal('admin:sources'), 'sources', 'SetAuthorityRule')).toBeUndefined();
    expect(refusal(principal('writer:inventory'), 'inventory', 'ReceiveStock')).toBeUndefined();
  });

  it('lets a grant of the alias context the payload names write that alias, and no other', () => {
    const frontend = principal('writer:frontend');
    expect(refusal(frontend, 'aliases', 'RegisterAlias', { context: 'frontend' })).toBeUndefined();
    expect(refusal(frontend, 'aliases', 'RegisterAlias', { context: 'backend' })).toMatchObject({
      status: 403,
      extra: { missingPermission: 'writer:aliases', acceptedPermissions: ['writer:aliases', 'writer:backend'] },
    });
    expect(refusal(frontend, 'aliases', 'ResolveAliasConflict', { conflictId: 'x' })).toMatchObject({ status: 403 });
    expect(refusal(principal('writer:aliases'), 'aliases', 'RegisterAlias', { context: 'system' })).toBeUndefined();
    expect(commandPermission('aliases', 'RegisterAlias', { context: 'elsewhere' }).contexts).toEqual(['aliases']);
  });

  it('marks a command as an admin’s where the credential is admin of a context it acts in', () => {
    const deactivate = commandPermission('aliases', 'DeactivateAlias', { context: 'backend' });
    expect(isAdminFor(principal('admin:backend'), deactivate)).toBe(true);
    expect(isAdminFor(principal('admin'), deactivate)).toBe(true);
    expect(isAdminFor(principal('writer:aliases', 'admin:frontend'), deactivate)).toBe(false);
  });
});
