import { deciderSpec, type DomainCommandMetadata } from '@verity/core';
import { conflictIdOf } from '../conflict-id';
import { aliasesDecider, DEFAULT_GOVERNANCE } from './decider';
import type { AliasesCommand } from './commands';
import type { AliasConflictDetected, AliasesEvent } from './events';

const spec = deciderSpec(aliasesDecider);
const now = new Date('2026-11-23T10:00:00Z');
/** Who sends a command beyond its actor: an act-as credential's person, an admin's authority. */
type Authority = Pick<DomainCommandMetadata, 'onBehalfOf' | 'admin'>;
const meta = (actor = 'alice', commandId = 'cmd-1', authority: Authority = {}): DomainCommandMetadata => ({
  tenant: 'acme',
  now,
  actor,
  commandId,
  ...authority,
});
/** The processor's actor for timer commands: a system actor holds no authority of its own. */
const TIMER_ACTOR = 'system:timer';

const register = (
  data: Partial<Extract<AliasesCommand, { type: 'RegisterAlias' }>['data']> = {},
  actor = 'alice',
  commandId = 'cmd-1',
  authority: Authority = {},
): AliasesCommand => ({
  type: 'RegisterAlias',
  data: { alias: 'orders', context: 'backend', canonical: 'order-service', ...data },
  metadata: meta(actor, commandId, authority),
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

    it("an admin's explicit owner is kept; expiresAt is normalised", () => {
      spec
        .given([])
        .when(
          register({ owner: 'team-orders', expiresAt: '2026-11-24T10:00:00+00:00' }, 'root', 'cmd-1', { admin: true }),
        )
        .then([registered({ owner: 'team-orders', expiresAt: '2026-11-24T10:00:00.000Z' })]);
    });

    it('a non-admin naming another owner is not_alias_owner; naming itself is fine', () => {
      spec
        .given([])
        .when(register({ owner: 'team-orders' }))
        .thenRejects('not_alias_owner', { alias: 'orders', context: 'backend', owner: 'team-orders' });
      spec
        .given([])
        .when(register({ owner: 'alice' }))
        .then([registered()]);
      spec
        .given([])
        .when(register({ owner: 'team-orders' }, 'alice', 'cmd-1', { admin: false }))
        .thenRejects('not_alias_owner');
    });

    it('a connector acting for a person registers in that person’s name, or explicitly in its own', () => {
      const connector = { onBehalfOf: 'erp:jdoe' };
      spec
        .given([])
        .when(register({}, 'erp-connector', 'cmd-1', connector))
        .then([registered({ owner: 'erp:jdoe' })]);
      spec
        .given([])
        .when(register({ owner: 'erp-connector' }, 'erp-connector', 'cmd-1', connector))
        .then([registered({ owner: 'erp-connector' })]);
      spec
        .given([])
        .when(register({ owner: 'erp:mallory' }, 'erp-connector', 'cmd-1', connector))
        .thenRejects('not_alias_owner', { alias: 'orders', context: 'backend', owner: 'erp:mallory' });
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

    const detected = (kind: 'alias_taken' | 'canonical_owned'): AliasConflictDetected => ({
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
    const resolve = (
      resolution: 'accept' | 'reject',
      id = conflictId,
      by: DomainCommandMetadata = meta('root', 'cmd-9', { admin: true }),
    ): AliasesCommand => ({
      type: 'ResolveAliasConflict',
      data: { conflictId: id, resolution },
      metadata: by,
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

    describe('who may resolve: the owner of the alias the proposal collided with, or an admin', () => {
      const accepted = (kind: 'alias_taken' | 'canonical_owned') =>
        aliasesDecider.decide(
          resolve('accept'),
          [registered(), detected(kind)].reduce(aliasesDecider.evolve, aliasesDecider.initialState()),
        );

      it.each(['alias_taken', 'canonical_owned'] as const)(
        '%s: the existing owner may, as itself or through a connector acting for them',
        (kind) => {
          const past = [registered(), detected(kind)];
          spec
            .given(past)
            .when(resolve('accept', conflictId, meta('alice', 'cmd-9')))
            .then(accepted(kind));
          spec
            .given(past)
            .when(resolve('accept', conflictId, meta('erp-connector', 'cmd-9', { onBehalfOf: 'alice' })))
            .then(accepted(kind));
        },
      );

      it.each(['alias_taken', 'canonical_owned'] as const)(
        '%s: the proposer or anyone else is not_alias_owner, naming the alias, its owner and the conflict',
        (kind) => {
          const past = [registered(), detected(kind)];
          const details = { alias: 'orders', context: 'backend', owner: 'alice', conflictId };
          for (const by of [
            meta('bob', 'cmd-9'),
            meta('carol', 'cmd-9'),
            meta('erp-connector', 'cmd-9', { onBehalfOf: 'bob' }),
            meta('alice-lookalike', 'cmd-9', { admin: false }),
          ]) {
            spec
              .given(past)
              .when(resolve('accept', conflictId, by))
              .thenRejects('not_alias_owner', details);
            spec
              .given(past)
              .when(resolve('reject', conflictId, by))
              .thenRejects('not_alias_owner', details);
          }
        },
      );

      it('a conflict without a recorded existing owner is for an admin only', () => {
        const taken = detected('alias_taken');
        const ownerless: AliasesEvent = { ...taken, data: { ...taken.data, existingOwner: null } };
        spec
          .given([registered(), ownerless])
          .when(resolve('reject', conflictId, meta('alice', 'cmd-9')))
          .thenRejects('not_alias_owner', { alias: 'orders', context: 'backend', owner: null, conflictId });
        spec
          .given([registered(), ownerless])
          .when(resolve('reject'))
          .then([
            {
              type: 'AliasConflictResolved',
              data: { conflictId, resolution: 'reject', alias: 'orders', context: 'backend' },
            },
          ]);
      });
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
    const deactivateBy = (by: DomainCommandMetadata): AliasesCommand => ({
      type: 'DeactivateAlias',
      data: { alias: 'orders', context: 'backend' },
      metadata: by,
    });
    const deactivate = deactivateBy(meta());
    const deactivated: AliasesEvent = {
      type: 'AliasDeactivated',
      data: { alias: 'orders', context: 'backend', canonical: 'order-service', reason: 'deactivated' },
    };

    it('deactivates an active alias for its owner', () => {
      spec.given([registered()]).when(deactivate).then([deactivated]);
    });

    it('for a connector acting for the owner, for an admin, and for the owner when the owner is the connector', () => {
      spec
        .given([registered()])
        .when(deactivateBy(meta('erp-connector', 'cmd-2', { onBehalfOf: 'alice' })))
        .then([deactivated]);
      spec
        .given([registered()])
        .when(deactivateBy(meta('root', 'cmd-2', { admin: true })))
        .then([deactivated]);
      spec
        .given([registered({ owner: 'erp-connector' })])
        .when(deactivateBy(meta('erp-connector', 'cmd-2', { onBehalfOf: 'erp:jdoe' })))
        .then([deactivated]);
    });

    it('anyone else is not_alias_owner, naming the alias, its context and its owner', () => {
      const details = { alias: 'orders', context: 'backend', owner: 'alice' };
      for (const by of [
        meta('bob', 'cmd-2'),
        meta('bob', 'cmd-2', { admin: false }),
        meta('erp-connector', 'cmd-2', { onBehalfOf: 'bob' }),
        // A system actor holds no authority by its name: the runtime would have to say admin.
        meta(TIMER_ACTOR, 'cmd-2'),
      ])
        spec.given([registered()]).when(deactivateBy(by)).thenRejects('not_alias_owner', details);
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
