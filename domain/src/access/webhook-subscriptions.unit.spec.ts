import { deciderSpec } from '@verity/core';
import { accessContext } from '.';
import type { AccessCommand } from './commands';
import { accessDecider } from './decider';
import type { AccessEvent } from './events';
import { MAX_ROTATION_OVERLAP_SECONDS, subscriptionMatches, webhookSubscriptionsOf } from './webhook-subscriptions';

const spec = deciderSpec(accessDecider);
const NOW = '2026-12-03T10:00:00.000Z';
const metadata = { tenant: 'acme', now: new Date(NOW) };
const ID = 'whs_aaaaaaaaaaaaaaaa';
const sealed = { kek: '0123456789abcdef', iv: 'a'.repeat(16), ciphertext: 'c'.repeat(40), tag: 't'.repeat(22) };
const URL = 'https://hooks.example.com/verity';

const command = (type: AccessCommand['type'], data: Record<string, unknown>): AccessCommand => {
  const definition = accessContext.commands[type]!;
  return { type, data: definition.schema.parse(data), metadata } as AccessCommand;
};
const create = (extra: Record<string, unknown> = {}) =>
  command('CreateWebhookSubscription', {
    subscriptionId: ID,
    url: URL,
    eventTypes: ['verity.inventory.StockReceived', 'verity.inventory.StockReceived'],
    sealed,
    ...extra,
  });
const created: AccessEvent = {
  type: 'WebhookSubscriptionCreated',
  data: {
    subscriptionId: ID,
    url: URL,
    eventTypes: ['verity.inventory.StockReceived'],
    streamId: null,
    createdAt: NOW,
    sealed,
  },
};
const disabled: AccessEvent = {
  type: 'WebhookSubscriptionDisabled',
  data: { subscriptionId: ID, disabledAt: NOW, reason: 'consecutive_failures', failures: 5 },
};
const deleted: AccessEvent = { type: 'WebhookSubscriptionDeleted', data: { subscriptionId: ID, deletedAt: NOW } };

describe('access decider (outbound webhook subscriptions)', () => {
  it('creates a subscription once, on its own stream, with its types once each', () => {
    spec.given([]).when(create()).then([created]);
    spec.given([created]).when(create()).thenRejects('webhook_subscription_exists', { subscriptionId: ID });
    expect(accessContext.commands.CreateWebhookSubscription!.aggregateId({ subscriptionId: ID })).toBe(ID);
  });

  it('filters on a stream of its own tenant only', () => {
    spec
      .given([])
      .when(create({ streamId: 'acme/WIDGET-1' }))
      .then([{ ...created, data: { ...created.data, streamId: 'acme/WIDGET-1' } }]);
    spec
      .given([])
      .when(create({ streamId: 'globex/WIDGET-1' }))
      .thenRejects('stream_of_another_tenant', { streamId: 'globex/WIDGET-1' });
  });

  it('refuses a secret in clear, a bad type pattern and a URL that is not http(s)', () => {
    const schema = accessContext.commands.CreateWebhookSubscription!.schema;
    const base = { subscriptionId: ID, url: URL, eventTypes: ['verity.inventory.*'], sealed };
    expect(schema.safeParse(base).success).toBe(true);
    expect(schema.safeParse({ ...base, secret: 'whsec_x' }).success).toBe(false);
    expect(schema.safeParse({ ...base, eventTypes: ['StockReceived'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, eventTypes: [] }).success).toBe(false);
    expect(schema.safeParse({ ...base, url: 'ftp://hooks.example.com/' }).success).toBe(false);
  });

  it('disables, enables, rotates and deletes; a deleted one is unknown', () => {
    const disable = command('DisableWebhookSubscription', {
      subscriptionId: ID,
      reason: 'consecutive_failures',
      failures: 5,
    });
    const enable = command('EnableWebhookSubscription', { subscriptionId: ID });
    spec.given([created]).when(disable).then([disabled]);
    spec.given([created, disabled]).when(disable).thenRejects('webhook_subscription_disabled', { subscriptionId: ID });
    spec
      .given([created, disabled])
      .when(enable)
      .then([{ type: 'WebhookSubscriptionEnabled', data: { subscriptionId: ID, enabledAt: NOW } }]);
    spec.given([created]).when(enable).thenRejects('webhook_subscription_enabled', { subscriptionId: ID });
    const sealedAnew = { ...sealed, ciphertext: 'd'.repeat(40) };
    spec
      .given([created])
      .when(command('RotateWebhookSubscriptionSecret', { subscriptionId: ID, sealed: sealedAnew }))
      .then([
        {
          type: 'WebhookSubscriptionSecretRotated',
          data: { subscriptionId: ID, rotatedAt: NOW, sealed: sealedAnew, previousUntil: null },
        },
      ]);
    spec
      .given([created])
      .when(command('DeleteWebhookSubscription', { subscriptionId: ID }))
      .then([deleted]);
    spec.given([created, deleted]).when(enable).thenRejects('unknown_webhook_subscription', { subscriptionId: ID });
    spec.given([]).when(enable).thenRejects('unknown_webhook_subscription', { subscriptionId: ID });
  });

  it('keeps the previous secret, sealed, for the overlap a rotation asks, and drops it when it ends or at the next rotation', () => {
    const sealedAnew = { ...sealed, ciphertext: 'd'.repeat(40) };
    const rotate = (overlapSeconds: number) =>
      command('RotateWebhookSubscriptionSecret', { subscriptionId: ID, sealed: sealedAnew, overlapSeconds });
    const rotated: AccessEvent = {
      type: 'WebhookSubscriptionSecretRotated',
      data: { subscriptionId: ID, rotatedAt: NOW, sealed: sealedAnew, previousUntil: '2026-12-04T10:00:00.000Z' },
    };
    spec.given([created]).when(rotate(86_400)).then([rotated]);
    const fold = (events: AccessEvent[]) => events.reduce(accessDecider.evolve, accessDecider.initialState());
    const [view] = webhookSubscriptionsOf(`acme/${ID}`, fold([created, rotated]));
    expect(view).toMatchObject({ sealed: sealedAnew, previous: { sealed, until: '2026-12-04T10:00:00.000Z' } });
    const again: AccessEvent = {
      type: 'WebhookSubscriptionSecretRotated',
      data: { subscriptionId: ID, rotatedAt: NOW, sealed, previousUntil: null },
    };
    expect(webhookSubscriptionsOf(`acme/${ID}`, fold([created, rotated, again]))[0]!.previous).toBeUndefined();

    // Ended once its instant has come, for that overlap only: the sealed previous secret is gone.
    const UNTIL = '2026-12-04T10:00:00.000Z';
    const end = (until: string, at: string) => ({
      ...command('EndWebhookSubscriptionSecretOverlap', { subscriptionId: ID, until }),
      metadata: { ...metadata, now: new Date(at) },
    });
    const ended: AccessEvent = {
      type: 'WebhookSubscriptionSecretOverlapEnded',
      data: { subscriptionId: ID, until: UNTIL, endedAt: '2026-12-04T10:00:01.000Z' },
    };
    spec.given([created, rotated]).when(end(UNTIL, '2026-12-04T10:00:01.000Z')).then([ended]);
    expect(webhookSubscriptionsOf(`acme/${ID}`, fold([created, rotated, ended]))[0]).not.toHaveProperty('previous');
    for (const [given, until, at] of [
      [[created, rotated], UNTIL, '2026-12-04T09:59:59.000Z'],
      [[created, rotated], '2026-12-05T10:00:00.000Z', '2026-12-05T10:00:01.000Z'],
      [[created, rotated, ended], UNTIL, '2026-12-04T10:00:02.000Z'],
      [[created], UNTIL, '2026-12-04T10:00:02.000Z'],
    ] as const)
      spec
        .given([...given])
        .when(end(until, at))
        .thenRejects('no_secret_overlap_to_end', { subscriptionId: ID, until });

    const schema = accessContext.commands.RotateWebhookSubscriptionSecret!.schema;
    for (const overlapSeconds of [-1, 1.5, MAX_ROTATION_OVERLAP_SECONDS + 1])
      expect(schema.safeParse({ subscriptionId: ID, sealed, overlapSeconds }).success).toBe(false);
  });

  it('shows a live subscription of a snapshot, enabled or not, and no deleted one', () => {
    const fold = (events: AccessEvent[]) => events.reduce(accessDecider.evolve, accessDecider.initialState());
    const [view] = webhookSubscriptionsOf(`acme/${ID}`, fold([created, disabled]));
    expect(view).toMatchObject({
      subscriptionId: ID,
      tenant: 'acme',
      enabled: false,
      disabledReason: 'consecutive_failures',
    });
    expect(webhookSubscriptionsOf(`acme/${ID}`, fold([created, deleted]))).toEqual([]);
    expect(webhookSubscriptionsOf('acme/aaaaaaaaaaaaaaaaaaaa', fold([]))).toEqual([]);
  });
});

describe('subscriptionMatches', () => {
  const subscription = { tenant: 'acme', eventTypes: ['verity.inventory.StockReceived'], createdAt: NOW };
  const event = { type: 'verity.inventory.StockReceived', streamId: 'acme/W-1', tenant: 'acme', time: NOW };

  it('takes a named type of its tenant from its creation on', () => {
    expect(subscriptionMatches(subscription, event)).toBe(true);
    expect(subscriptionMatches(subscription, { ...event, tenant: 'globex', streamId: 'globex/W-1' })).toBe(false);
    expect(subscriptionMatches(subscription, { ...event, type: 'verity.inventory.StockAdjusted' })).toBe(false);
    expect(subscriptionMatches(subscription, { ...event, time: '2026-12-03T09:59:59.999Z' })).toBe(false);
  });

  it('takes a whole context with .*, and only the named stream when it names one', () => {
    const context = { ...subscription, eventTypes: ['verity.inventory.*'] };
    expect(subscriptionMatches(context, { ...event, type: 'verity.inventory.StockAdjusted' })).toBe(true);
    expect(subscriptionMatches(context, { ...event, type: 'verity.catalog.ProductRegistered' })).toBe(false);
    const stream = { ...subscription, streamId: 'acme/W-2' };
    expect(subscriptionMatches(stream, event)).toBe(false);
    expect(subscriptionMatches(stream, { ...event, streamId: 'acme/W-2' })).toBe(true);
  });
});
