import { chain, type EventMetadata } from '@verity/core';
import type { StreamEvent } from '@verity/events';
import { aliasAuditRows, parseAliasAuditArgs, registryStreamOf } from './alias-audit-command';

const base: EventMetadata = {
  id: 'c:0',
  type: 'verity.aliases.AliasRegistered',
  source: '/verity/aliases',
  time: '2026-12-01T10:00:00.000Z',
  subject: 'acme/registry',
  streamVersion: 1,
  schemaVersion: 1,
  tenant: 'acme',
  actor: 'alice',
  correlationId: 'c',
  causationId: 'c',
  sourceSystem: 'api',
  sourceTimestamp: '2026-12-01T10:00:00.000Z',
};

const event = (
  version: number,
  type: string,
  time: string,
  payload: Record<string, unknown>,
  actor = 'alice',
): StreamEvent => ({
  offset: String(version),
  partition: 0,
  metadata: chain(
    '',
    { ...base, type: `verity.aliases.${type}`, streamVersion: version, time, actor },
    Buffer.from(''),
  ),
  value: Buffer.from(''),
  payload,
});

const events = [
  event(1, 'AliasRegistered', '2026-12-01T10:00:00.000Z', {
    alias: 'orders',
    context: 'backend',
    canonical: 'order-service',
  }),
  event(2, 'GovernanceSet', '2026-12-01T11:00:00.000Z', { namingPattern: '^[a-z]+$' }, 'root'),
  event(
    3,
    'AliasDeactivated',
    '2026-12-01T12:00:00.000Z',
    { alias: 'orders', context: 'backend', canonical: 'order-service', reason: null },
    'bob',
  ),
  event(4, 'AliasRegistered', '2026-12-01T13:00:00.000Z', { alias: 'orders', context: 'frontend', canonical: 'shop' }),
];

describe('aliasAuditRows', () => {
  it('names what was done to which alias, by whom, when; governance changes have no alias', () => {
    expect(
      aliasAuditRows(events, {}).map((r) => [r.version, r.action, r.context, r.alias, r.canonical, r.actor]),
    ).toEqual([
      [1, 'AliasRegistered', 'backend', 'orders', 'order-service', 'alice'],
      [2, 'GovernanceSet', undefined, undefined, undefined, 'root'],
      [3, 'AliasDeactivated', 'backend', 'orders', 'order-service', 'bob'],
      [4, 'AliasRegistered', 'frontend', 'orders', 'shop', 'alice'],
    ]);
  });

  it('filters by alias, context and a half-open time range', () => {
    expect(aliasAuditRows(events, { alias: 'orders', context: 'backend' }).map((r) => r.version)).toEqual([1, 3]);
    expect(
      aliasAuditRows(events, { from: Date.parse('2026-12-01T11:00:00Z'), to: Date.parse('2026-12-01T13:00:00Z') }).map(
        (r) => r.version,
      ),
    ).toEqual([2, 3]);
    expect(aliasAuditRows(events, { alias: 'nothing' })).toEqual([]);
  });
});

describe('parseAliasAuditArgs', () => {
  it('reads the tenant, filters and --json', () => {
    expect(
      parseAliasAuditArgs([
        '--tenant',
        'acme',
        '--alias',
        'orders',
        '--context',
        'backend',
        '--from',
        '2026-12-01',
        '--json',
      ]),
    ).toEqual({ tenant: 'acme', alias: 'orders', context: 'backend', from: Date.parse('2026-12-01'), json: true });
  });

  it('reads --resolutions, which lists the resolution log instead of the events', () => {
    expect(parseAliasAuditArgs(['--tenant', 'acme', '--resolutions'])).toEqual({
      tenant: 'acme',
      resolutions: true,
      json: false,
    });
  });

  it.each([
    [[], 'audit aliases needs --tenant <t>'],
    [['--tenant', 'acme', '--resolutions=yes'], '--resolutions takes no value'],
    [['--tenant', 'acme', '--context', 'middle'], '--context middle: one of frontend, backend, system'],
    [['--tenant', 'acme', '--from', '12'], 'the registry is one stream, give an ISO 8601 time'],
    [['--tenant', 'acme', '--from', '2026-12-02', '--to', '2026-12-01'], '--to is before --from'],
    [['--tenant', 'acme', '--json=yes'], '--json takes no value'],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseAliasAuditArgs(args)).toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringContaining(message) }),
    );
  });
});

it('reads the registry stream every aliases command targets', () => {
  expect(registryStreamOf('acme')).toBe('acme/registry');
});
