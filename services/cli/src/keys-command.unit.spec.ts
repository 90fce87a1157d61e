import type { ApiKeyView } from '@verity/domain';
import { UsageError } from './errors';
import { parseKeysArgs } from './keys-args';
import { accessEnvelope, keysTable } from './keys-command';

const ID = 'abcdefghijklmnopqrst';
const HASH = { salt: 'a'.repeat(22), hash: 'b'.repeat(43) };

describe('verity keys arguments', () => {
  it('create: tenant, roles (deduplicated), name and expiry', () => {
    expect(parseKeysArgs(['create', '--tenant', 'acme', '--roles', 'writer:inventory, reader,reader'])).toEqual({
      action: 'create',
      tenant: 'acme',
      roles: ['writer:inventory', 'reader'],
    });
    expect(
      parseKeysArgs([
        'create',
        '--tenant=acme',
        '--roles=admin',
        '--name',
        'ERP connector',
        '--expires',
        '2027-01-01T00:00:00Z',
      ]),
    ).toEqual({
      action: 'create',
      tenant: 'acme',
      roles: ['admin'],
      name: 'ERP connector',
      expiresAt: '2027-01-01T00:00:00Z',
    });
  });

  it('list, rotate and revoke', () => {
    expect(parseKeysArgs(['list'])).toEqual({ action: 'list' });
    expect(parseKeysArgs(['list', '--tenant', 'acme'])).toEqual({ action: 'list', tenant: 'acme' });
    expect(parseKeysArgs(['rotate', ID, '--old-expires', '2027-01-01T00:00:00Z'])).toEqual({
      action: 'rotate',
      keyId: ID,
      oldExpiresAt: '2027-01-01T00:00:00Z',
    });
    expect(parseKeysArgs(['revoke', ID])).toEqual({ action: 'revoke', keyId: ID });
  });

  it.each([
    [[], /create, list, rotate or revoke, got nothing/],
    [['delete', ID], /create, list, rotate or revoke, got delete/],
    [['create', '--roles', 'reader'], /needs --tenant/],
    [['create', '--tenant', 'acme'], /needs --roles/],
    [['create', '--tenant', 'Acme Corp', '--roles', 'reader'], /--tenant Acme Corp: lowercase/],
    [['create', '--tenant', 'acme', '--roles', 'owner'], /--roles owner: comma-separated roles/],
    [['create', '--tenant', 'acme', '--roles', ''], /--roles needs a value/],
    [['create', '--tenant', 'acme', '--roles', 'reader', '--expires', 'tomorrow'], /--expires tomorrow: an ISO 8601/],
    [['create', '--tenant', 'acme', '--roles', 'reader', '--tenant', 'b'], /--tenant given twice/],
    [['create', '--tenant', 'acme', '--roles', 'reader', 'extra'], /takes no argument, got extra/],
    [['list', '--roles', 'reader'], /keys list: unknown option --roles/],
    [['rotate'], /exactly one key id, got 0/],
    [['rotate', 'vk_abc'], /key id vk_abc: 20 characters/],
    [['revoke', ID, ID], /exactly one key id, got 2/],
    [['revoke', ID, '--expires', '2027-01-01T00:00:00Z'], /keys revoke: unknown option --expires/],
  ])('%j is a usage error', (args, message) => {
    const parse = () => parseKeysArgs(args);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });
});

describe('verity keys commands and list', () => {
  it('builds the access command the gateway would, on the family stream, with the hash only', () => {
    const envelope = accessEnvelope('acme', 'RevokeApiKey', { family: ID, keyId: 'bbbbbbbbbbbbbbbbbbbb' });
    expect(envelope).toMatchObject({
      type: 'access.RevokeApiKey',
      streamId: `acme/${ID}`,
      payload: { family: ID, keyId: 'bbbbbbbbbbbbbbbbbbbb' },
      metadata: { tenant: 'acme', sourceSystem: 'api', actor: expect.stringMatching(/^cli/) as unknown },
    });
    expect(() =>
      accessEnvelope('acme', 'IssueApiKey', { keyId: ID, roles: ['reader'], secretHash: HASH, secret: 'x' }),
    ).toThrow(UsageError);
  });

  it('lists ids, tenant, roles, name, status and expiry, never a hash', () => {
    const key = (keyId: string, extra: Partial<ApiKeyView>): ApiKeyView => ({
      keyId,
      family: ID,
      tenant: 'acme',
      roles: ['writer:inventory', 'reader'],
      issuedAt: '2026-12-01T00:00:00.000Z',
      hash: HASH,
      ...extra,
    });
    const table = keysTable(
      [
        key('cccccccccccccccccccc', { issuedAt: '2026-12-03T00:00:00.000Z', revokedAt: '2026-12-04T00:00:00.000Z' }),
        key(ID, { name: 'erp', expiresAt: '2026-12-02T00:00:00.000Z' }),
        key('dddddddddddddddddddd', { family: 'dddddddddddddddddddd', tenant: 'beta', roles: ['admin'] }),
      ],
      Date.parse('2026-12-05T00:00:00Z'),
    );
    expect(table.split('\n')).toEqual([
      'KEY ID                TENANT  ROLES                    NAME  STATUS   EXPIRES                   FAMILY',
      `${ID}  acme    writer:inventory,reader  erp   expired  2026-12-02T00:00:00.000Z  ${ID}`,
      `cccccccccccccccccccc  acme    writer:inventory,reader  -     revoked  -                         ${ID}`,
      'dddddddddddddddddddd  beta    admin                    -     active   -                         dddddddddddddddddddd',
      '',
    ]);
    expect(table).not.toContain(HASH.hash);
  });
});
