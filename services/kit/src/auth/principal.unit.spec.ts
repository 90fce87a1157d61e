import { can, InvalidRoleError, parseRoles, requiredGrant, type Principal } from './principal';

const principal = (roles: string[]): Principal => ({
  kind: 'jwt',
  subject: 'alice',
  tenant: 'acme',
  ...parseRoles(roles),
});

describe('parseRoles', () => {
  it('reads roles for every context or one, and permissions apart', () => {
    expect(parseRoles(['reader', 'writer:inventory', 'admin:catalog', 'act-as', 'platform-operator'])).toEqual({
      grants: [{ role: 'reader' }, { role: 'writer', context: 'inventory' }, { role: 'admin', context: 'catalog' }],
      permissions: new Set(['act-as', 'platform-operator']),
    });
  });

  it.each(['owner', 'writer:', 'writer:Inventory', 'reader:a:b', ' reader', 'act-as:inventory', ''])(
    'refuses %j with a named error',
    (role) => {
      expect(() => parseRoles([role])).toThrow(InvalidRoleError);
    },
  );
});

describe('can', () => {
  it('ranks admin over writer over reader', () => {
    const reader = principal(['reader']);
    expect(can(reader, 'read', 'inventory')).toBe(true);
    expect(can(reader, 'write', 'inventory')).toBe(false);
    const writer = principal(['writer']);
    expect(can(writer, 'read', 'catalog')).toBe(true);
    expect(can(writer, 'write', 'catalog')).toBe(true);
    expect(can(writer, 'admin', 'catalog')).toBe(false);
    const admin = principal(['admin']);
    expect(['read', 'write', 'admin'].every((a) => can(admin, a as 'read', 'pricing'))).toBe(true);
  });

  it('holds a context grant to that context only', () => {
    const p = principal(['writer:inventory', 'reader:catalog']);
    expect(can(p, 'write', 'inventory')).toBe(true);
    expect(can(p, 'read', 'catalog')).toBe(true);
    expect(can(p, 'write', 'catalog')).toBe(false);
    expect(can(p, 'read', 'pricing')).toBe(false);
  });

  it('grants nothing through permissions alone', () => {
    expect(can(principal(['act-as', 'platform-operator']), 'read', 'inventory')).toBe(false);
  });

  it('names the grant an action needs', () => {
    expect(requiredGrant('write', 'inventory')).toBe('writer:inventory');
    expect(requiredGrant('admin', 'sources')).toBe('admin:sources');
  });
});
