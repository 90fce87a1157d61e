import { deciderSpec } from '@verity/core';
import { conflictIdOf } from '../conflict-id';
import { aliasesDecider, DEFAULT_GOVERNANCE } from './decider';
import type { AliasesCommand } from './commands';
import type { AliasesEvent } from './events';

const spec = deciderSpec(aliasesDecider);
const now = new Date('2026-11-23T10:00:00Z');
const meta = (actor = 'alice', commandId = 'cmd-1') => ({ tenant: 'acme', now, actor, commandId });

const register = (
  data: Partial<Extract<AliasesCommand, { type: 'RegisterAlias' }>['data']> = {},
  actor = 'alice',
  commandId = 'cmd-1',
): AliasesCommand => ({
  type: 'RegisterAlias',
  data: { alias: 'orders', context: 'backend', canonical: 'order-service', ...data },
  metadata: meta(actor, commandId),
});
const registered = (over: Partial<Extract<AliasesEvent, { type: 'AliasRegistered' }>['data']> = {}): AliasesEvent => ({
  type: 'AliasRegistered',
  data: {
    alias: 'orders',
    context: 'backend',
    canonical: 'order-service',
    description: null,
    owner: 'alice',
    expiresAt: null,
    conflictId: null,
    ...over,
  },
});
const governance = (over: Partial<typeof DEFAULT_GOVERNANCE>): AliasesEvent => ({
  type: 'GovernanceSet',
  data: { ...DEFAULT_GOVERNANCE, ...over },
});

describe('aliases decider (the tenant registry)', () => {
  describe('RegisterAlias', () => {
    it('registers an alias; the owner defaults to the actor', () => {
      spec
        .given([])
        .when(register({ description: 'orders API' }))
        .then([registered({ description: 'orders API' })]);
    });

    it('keeps an explicit owner and normalises expiresAt', () => {
      spec
        .given([])
        .when(register({ owner: 'team-orders', expiresAt: '2026-11-24T10:00:00+00:00' }))
        .then([registered({ owner: 'team-orders', expiresAt: '2026-11-24T10:00:00.000Z' })]);
    });

    it('the same alias, owner and canonical again is alias_exists', () => {
      spec
        .given([registered()])
        .when(register())
        .thenRejects('alias_exists', { alias: 'orders', context: 'backend', canonical: 'order-service' });
    });

    it('the same owner re-pointing an alias replaces its canonical', () => {
      spec
        .given([registered()])
        .when(register({ canonical: 'order-service-v2' }))
        .then([registered({ canonical: 'order-service-v2' })]);
    });

    it('the same alias in another context is another alias', () => {
      spec
        .given([registered()])
        .when(register({ context: 'frontend' }))
        .then([registered({ context: 'frontend' })]);
    });

    it('an expiry not after now is rejected', () => {
      spec
        .given([])
        .when(register({ expiresAt: '2026-11-23T10:00:00Z' }))
        .thenRejects('expiry_in_past');
    });

    it('a deactivated or expired alias can be registered again, by anyone', () => {
      const deactivated: AliasesEvent = {
        type: 'AliasDeactivated',
        data: { alias: 'orders', context: 'backend', canonical: 'order-service', reason: 'deactivated' },
      };
      spec
        .given([registered(), deactivated])
        .when(register({}, 'bob'))
        .then([registered({ owner: 'bob' })]);
      spec
        .given([registered({ expiresAt: '2026-11-23T09:59:59.000Z' })])
        .when(register({}, 'bob'))
        .then([registered({ owner: 'bob' })]);
    });
  });

  describe('governance', () => {
    it('default naming pattern: a name breaking it is a governance_violation naming the rule', () => {
      spec
        .given([])
        .when(register({ alias: 'Orders_API' }))
        .thenRejects('governance_violation', {
          rule: 'namingPattern',
          namingPattern: DEFAULT_GOVERNANCE.namingPattern,
        });
    });

    it('a tenant pattern replaces the default', () => {
      const past = [governance({ namingPattern: '^api-[a-z]+$' })];
      spec
        .given(past)
        .when(register({ alias: 'orders' }))
        .thenRejects('governance_violation', { rule: 'namingPattern', namingPattern: '^api-[a-z]+$' });
      spec
        .given(past)
        .when(register({ alias: 'api-orders' }))
        .then([registered({ alias: 'api-orders' })]);
    });

    it('a context the tenant does not allow is a governance_violation', () => {
      spec
        .given([governance({ allowedContexts: ['frontend'] })])
        .when(register())
        .thenRejects('governance_violation', { rule: 'allowedContexts', allowedContexts: ['frontend'] });
    });

    it('more active aliases per canonical than allowed is a governance_violation; inactive ones do not count', () => {
      const past = [
        governance({ maxAliasesPerCanonical: 2 }),
        registered({ alias: 'orders-a' }),
        registered({ alias: 'orders-b' }),
      ];
      spec
        .given(past)
        .when(register({ alias: 'orders-c' }))
        .thenRejects('governance_violation', { rule: 'maxAliasesPerCanonical', maxAliasesPerCanonical: 2 });
      const freed: AliasesEvent = {
        type: 'AliasDeactivated',
        data: { alias: 'orders-a', context: 'backend', canonical: 'order-service', reason: 'deactivated' },
      };
      spec
        .given([...past, freed])
        .when(register({ alias: 'orders-c' }))
        .then([registered({ alias: 'orders-c' })]);
    });

    it('SetGovernance merges the given rules into the current ones', () => {
      spec
        .given([governance({ maxAliasesPerCanonical: 3 })])
        .when({ type: 'SetGovernance', data: { allowedContexts: ['backend', 'backend', 'system'] }, metadata: meta() })
        .then([governance({ maxAliasesPerCanonical: 3, allowedContexts: ['backend', 'system'] })]);
    });
  });

  describe('conflicts', () => {
    const conflictId = conflictIdOf('acme', 'cmd-2');

    it('the same alias+context by another owner while active is a conflict, not applied', () => {
      spec
        .given([registered()])
        .when(register({ canonical: 'billing' }, 'bob', 'cmd-2'))
        .then([
          {
            type: 'AliasConflictDetected',
            data: {
              conflictId,
              alias: 'orders',
              context: 'backend',
              canonical: 'billing',
              owner: 'bob',
              existingAlias: 'orders',
              existingOwner: 'alice',
              kind: 'alias_taken',
              description: null,
              expiresAt: null,
            },
          },
        ]);
      const before = [registered()].reduce(aliasesDecider.evolve, aliasesDecider.initialState());
      const state = aliasesDecider
        .decide(register({ canonical: 'billing' }, 'bob', 'cmd-2'), before)
        .reduce(aliasesDecider.evolve, before);
      expect(state.aliases['backend/orders']).toMatchObject({ canonical: 'order-service', owner: 'alice' });
    });

    it("a canonical another owner's active alias holds in that context is a conflict", () => {
      spec
        .given([registered()])
        .when(register({ alias: 'purchases' }, 'bob', 'cmd-2'))
        .then([
          {
            type: 'AliasConflictDetected',
            data: {
              conflictId,
              alias: 'purchases',
              context: 'backend',
              canonical: 'order-service',
              owner: 'bob',
              existingAlias: 'orders',
              existingOwner: 'alice',
              kind: 'canonical_owned',
              description: null,
              expiresAt: null,
            },
          },
        ]);
    });

    it('the conflict id is deterministic from the command id', () => {
      expect(conflictIdOf('acme', 'cmd-2')).toBe(conflictId);
      expect(conflictIdOf('acme', 'cmd-3')).not.toBe(conflictId);
    });

    const detected = (kind: 'alias_taken' | 'canonical_owned'): AliasesEvent => ({
      type: 'AliasConflictDetected',
      data: {
        conflictId,
        alias: kind === 'alias_taken' ? 'orders' : 'purchases',
        context: 'backend',
        canonical: kind === 'alias_taken' ? 'billing' : 'order-service',
        owner: 'bob',
        existingAlias: 'orders',
        existingOwner: 'alice',
        kind,
        description: null,
        expiresAt: null,
      },
    });
    const resolve = (resolution: 'accept' | 'reject', id = conflictId): AliasesCommand => ({
      type: 'ResolveAliasConflict',
      data: { conflictId: id, resolution },
      metadata: meta('admin', 'cmd-9'),
    });

    it('accept of alias_taken applies the proposal over the existing alias', () => {
      spec
        .given([registered(), detected('alias_taken')])
        .when(resolve('accept'))
        .then([
          {
            type: 'AliasConflictResolved',
            data: { conflictId, resolution: 'accept', alias: 'orders', context: 'backend' },
          },
          registered({ canonical: 'billing', owner: 'bob', conflictId }),
        ]);
    });

    it('accept of canonical_owned deactivates the existing alias and registers the proposal', () => {
      spec
        .given([registered(), detected('canonical_owned')])
        .when(resolve('accept'))
        .then([
          {
            type: 'AliasConflictResolved',
            data: { conflictId, resolution: 'accept', alias: 'purchases', context: 'backend' },
          },
          {
            type: 'AliasDeactivated',
            data: { alias: 'orders', context: 'backend', canonical: 'order-service', reason: 'replaced' },
          },
          registered({ alias: 'purchases', owner: 'bob', conflictId }),
        ]);
    });

    it('reject closes the conflict and changes no alias', () => {
      spec
        .given([registered(), detected('alias_taken')])
        .when(resolve('reject'))
        .then([
          {
            type: 'AliasConflictResolved',
            data: { conflictId, resolution: 'reject', alias: 'orders', context: 'backend' },
          },
        ]);
    });

    it('an unknown or already resolved conflict is rejected', () => {
      spec
        .given([])
        .when(resolve('accept', 'conflict-nope'))
        .thenRejects('conflict_not_found', { conflictId: 'conflict-nope' });
      const closed: AliasesEvent = {
        type: 'AliasConflictResolved',
        data: { conflictId, resolution: 'reject', alias: 'orders', context: 'backend' },
      };
      spec
        .given([registered(), detected('alias_taken'), closed])
        .when(resolve('accept'))
        .thenRejects('conflict_already_resolved', { conflictId, status: 'rejected' });
    });
  });

  describe('DeactivateAlias', () => {
    const deactivate: AliasesCommand = {
      type: 'DeactivateAlias',
      data: { alias: 'orders', context: 'backend' },
      metadata: meta(),
    };

    it('deactivates an active alias', () => {
      spec
        .given([registered()])
        .when(deactivate)
        .then([
          {
            type: 'AliasDeactivated',
            data: { alias: 'orders', context: 'backend', canonical: 'order-service', reason: 'deactivated' },
          },
        ]);
    });

    it('an unknown alias is alias_not_found, an inactive one alias_not_active', () => {
      spec.given([]).when(deactivate).thenRejects('alias_not_found');
      const gone: AliasesEvent = {
        type: 'AliasDeactivated',
        data: { alias: 'orders', context: 'backend', canonical: 'order-service', reason: 'deactivated' },
      };
      spec.given([registered(), gone]).when(deactivate).thenRejects('alias_not_active');
    });
  });
});
