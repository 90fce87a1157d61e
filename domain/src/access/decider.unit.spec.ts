import { deciderSpec } from '@verity/core';
import { accessContext } from '.';
import { apiKeysOf } from './api-keys';
import type { AccessCommand } from './commands';
import { accessDecider } from './decider';
import type { AccessEvent } from './events';

const spec = deciderSpec(accessDecider);
const NOW = '2026-12-02T10:00:00.000Z';
const metadata = { tenant: 'acme', now: new Date(NOW) };
const FIRST = 'aaaaaaaaaaaaaaaaaaaa';
const SECOND = 'bbbbbbbbbbbbbbbbbbbb';
const THIRD = 'cccccccccccccccccccc';
const hashOf = (c: string) => ({ salt: c.repeat(22), hash: c.repeat(43) });

const command = (type: AccessCommand['type'], data: Record<string, unknown>): AccessCommand => {
  const definition = accessContext.commands[type]!;
  return { type, data: definition.schema.parse(data), metadata } as AccessCommand;
};
const issue = (extra: Record<string, unknown> = {}) =>
  command('IssueApiKey', { keyId: FIRST, roles: ['writer:inventory', 'reader'], secretHash: hashOf('a'), ...extra });
const rotate = (extra: Record<string, unknown> = {}) =>
  command('RotateApiKey', { replaces: FIRST, keyId: SECOND, secretHash: hashOf('b'), ...extra });
const revoke = (keyId: string, family?: string) => command('RevokeApiKey', { keyId, ...(family ? { family } : {}) });

const issued = (extra: Partial<Extract<AccessEvent, { type: 'ApiKeyIssued' }>['data']> = {}): AccessEvent => ({
  type: 'ApiKeyIssued',
  data: {
    keyId: FIRST,
    name: null,
    roles: ['writer:inventory', 'reader'],
    issuedAt: '2026-12-01T00:00:00.000Z',
    expiresAt: null,
    secretHash: hashOf('a'),
    ...extra,
  },
});
const rotated = (extra: Partial<Extract<AccessEvent, { type: 'ApiKeyRotated' }>['data']> = {}): AccessEvent => ({
  type: 'ApiKeyRotated',
  data: {
    keyId: SECOND,
    replaces: FIRST,
    issuedAt: NOW,
    expiresAt: null,
    replacedKeyExpiresAt: null,
    secretHash: hashOf('b'),
    ...extra,
  },
});
const revoked = (keyId: string, revokedAt = NOW): AccessEvent => ({
  type: 'ApiKeyRevoked',
  data: { keyId, revokedAt },
});

describe('access decider (API key families)', () => {
  it('issues a key with its roles, name and expiry (in UTC), recording only the hash', () => {
    spec
      .given([])
      .when(issue({ name: 'netsuite connector', expiresAt: '2027-01-01T01:00:00+01:00' }))
      .then([
        issued({
          name: 'netsuite connector',
          issuedAt: NOW,
          expiresAt: '2027-01-01T00:00:00.000Z',
        }),
      ]);
  });

  it('refuses to issue a key id twice, or a key expiring before it is issued', () => {
    spec.given([issued()]).when(issue()).thenRejects('api_key_exists', { keyId: FIRST });
    spec
      .given([])
      .when(issue({ expiresAt: NOW }))
      .thenRejects('expiry_not_in_future', { expiresAt: NOW });
  });

  it('rotates: a new key beside the old, which may be given an earlier expiry', () => {
    spec.given([issued()]).when(rotate()).then([rotated()]);
    spec
      .given([issued({ expiresAt: '2027-06-01T00:00:00.000Z' })])
      .when(rotate({ replacedKeyExpiresAt: '2026-12-09T00:00:00Z', expiresAt: '2027-12-01T00:00:00Z' }))
      .then([rotated({ replacedKeyExpiresAt: '2026-12-09T00:00:00.000Z', expiresAt: '2027-12-01T00:00:00.000Z' })]);
  });

  it('rotates a later key of the family through the family id', () => {
    spec
      .given([issued(), rotated()])
      .when(rotate({ family: FIRST, replaces: SECOND, keyId: THIRD, secretHash: hashOf('c') }))
      .then([rotated({ keyId: THIRD, replaces: SECOND, secretHash: hashOf('c') })]);
  });

  it('refuses to rotate an unknown, revoked or expired key, or to reuse a key id', () => {
    spec.given([]).when(rotate()).thenRejects('unknown_api_key', { keyId: FIRST });
    spec
      .given([issued(), revoked(FIRST)])
      .when(rotate())
      .thenRejects('api_key_revoked', { keyId: FIRST });
    spec
      .given([issued({ expiresAt: '2026-12-02T09:00:00.000Z' })])
      .when(rotate())
      .thenRejects('api_key_expired', { keyId: FIRST, expiresAt: '2026-12-02T09:00:00.000Z' });
    spec
      .given([issued()])
      .when(rotate({ keyId: FIRST }))
      .thenRejects('api_key_exists', { keyId: FIRST });
  });

  it('never lengthens the replaced key’s life, and wants expiries ahead', () => {
    spec
      .given([issued({ expiresAt: '2027-01-01T00:00:00.000Z' })])
      .when(rotate({ replacedKeyExpiresAt: '2027-02-01T00:00:00Z' }))
      .thenRejects('expiry_later_than_current', { keyId: FIRST, expiresAt: '2027-01-01T00:00:00.000Z' });
    spec
      .given([issued()])
      .when(rotate({ replacedKeyExpiresAt: '2026-12-01T00:00:00Z' }))
      .thenRejects('expiry_not_in_future', { expiresAt: '2026-12-01T00:00:00.000Z' });
    spec
      .given([issued()])
      .when(rotate({ expiresAt: '2026-12-01T00:00:00Z' }))
      .thenRejects('expiry_not_in_future', { expiresAt: '2026-12-01T00:00:00.000Z' });
  });

  it('revokes one key of the family; an unknown or revoked key is refused', () => {
    spec
      .given([issued(), rotated()])
      .when(revoke(FIRST))
      .then([revoked(FIRST)]);
    spec
      .given([issued(), rotated()])
      .when(revoke(SECOND, FIRST))
      .then([revoked(SECOND)]);
    spec.given([]).when(revoke(FIRST)).thenRejects('unknown_api_key', { keyId: FIRST });
    spec.given([issued()]).when(revoke(SECOND, FIRST)).thenRejects('unknown_api_key', { keyId: SECOND });
    spec
      .given([issued(), revoked(FIRST, '2026-12-01T12:00:00.000Z')])
      .when(revoke(FIRST))
      .thenRejects('api_key_revoked', { keyId: FIRST, revokedAt: '2026-12-01T12:00:00.000Z' });
  });

  it('evolves one family whose keys share its roles; the directory sees each key of the tenant', () => {
    const state = [
      issued({ name: 'erp', expiresAt: '2027-01-01T00:00:00.000Z' }),
      rotated({ replacedKeyExpiresAt: '2026-12-09T00:00:00.000Z' }),
      revoked(SECOND),
    ].reduce(accessDecider.evolve, accessDecider.initialState());
    // Snapshots are JSON on the state topic: what the directory reads must survive the trip.
    expect(apiKeysOf(`acme/${FIRST}`, JSON.parse(JSON.stringify(state)))).toEqual([
      {
        keyId: FIRST,
        family: FIRST,
        tenant: 'acme',
        roles: ['writer:inventory', 'reader'],
        name: 'erp',
        issuedAt: '2026-12-01T00:00:00.000Z',
        expiresAt: '2026-12-09T00:00:00.000Z',
        hash: hashOf('a'),
      },
      {
        keyId: SECOND,
        family: FIRST,
        tenant: 'acme',
        roles: ['writer:inventory', 'reader'],
        name: 'erp',
        issuedAt: NOW,
        revokedAt: NOW,
        hash: hashOf('b'),
      },
    ]);
    expect(apiKeysOf(`acme/${FIRST}`, accessDecider.initialState())).toEqual([]);
  });
});

describe('access commands', () => {
  const issueSchema = accessContext.commands.IssueApiKey!.schema;

  it('take the role grammar: reader|writer|admin[:<context>], act-as, platform-operator', () => {
    const roles = ['reader', 'writer:inventory', 'admin:frontend', 'act-as', 'platform-operator', 'reader'];
    expect(issueSchema.parse({ keyId: FIRST, roles, secretHash: hashOf('a') })).toMatchObject({
      roles: ['reader', 'writer:inventory', 'admin:frontend', 'act-as', 'platform-operator'],
    });
    for (const bad of [[], ['owner'], ['writer:'], ['Writer'], ['reader:Inventory'], ['act-as:inventory']])
      expect(issueSchema.safeParse({ keyId: FIRST, roles: bad, secretHash: hashOf('a') }).success).toBe(false);
  });

  it('carry a hash, never a secret, and a key id of the key format', () => {
    const ok = { keyId: FIRST, roles: ['reader'], secretHash: hashOf('a') };
    expect(issueSchema.safeParse(ok).success).toBe(true);
    expect(issueSchema.safeParse({ ...ok, secret: 'x'.repeat(43) }).success).toBe(false);
    expect(issueSchema.safeParse({ ...ok, secretHash: { salt: 'short', hash: 'a'.repeat(43) } }).success).toBe(false);
    expect(issueSchema.safeParse({ ...ok, keyId: 'AAAAAAAAAAAAAAAAAAAA' }).success).toBe(false);
    expect(issueSchema.safeParse({ ...ok, keyId: FIRST.slice(1) }).success).toBe(false);
  });

  it('target the family stream: the first key, or the family named', () => {
    const { RotateApiKey, RevokeApiKey, IssueApiKey } = accessContext.commands;
    expect(IssueApiKey!.aggregateId({ keyId: FIRST })).toBe(FIRST);
    expect(RotateApiKey!.aggregateId({ replaces: FIRST, keyId: SECOND })).toBe(FIRST);
    expect(RotateApiKey!.aggregateId({ family: FIRST, replaces: SECOND, keyId: THIRD })).toBe(FIRST);
    expect(RevokeApiKey!.aggregateId({ keyId: FIRST })).toBe(FIRST);
    expect(RevokeApiKey!.aggregateId({ family: FIRST, keyId: SECOND })).toBe(FIRST);
  });
});
