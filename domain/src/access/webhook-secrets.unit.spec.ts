import { deciderSpec } from '@verity/core';
import { accessContext } from '.';
import type { AccessCommand } from './commands';
import { accessDecider } from './decider';
import type { AccessEvent } from './events';
import { webhookSecretsOf } from './webhook-secrets';

const spec = deciderSpec(accessDecider);
const NOW = '2026-12-02T10:00:00.000Z';
const metadata = { tenant: 'acme', now: new Date(NOW) };
const FIRST = 'whk_aaaaaaaaaaaaaaaa';
const SECOND = 'whk_bbbbbbbbbbbbbbbb';
const sealed = { kek: '0123456789abcdef', iv: 'a'.repeat(16), ciphertext: 'c'.repeat(40), tag: 't'.repeat(22) };

const command = (type: AccessCommand['type'], data: Record<string, unknown>): AccessCommand => {
  const definition = accessContext.commands[type]!;
  return { type, data: definition.schema.parse(data), metadata } as AccessCommand;
};
const add = (extra: Record<string, unknown> = {}) =>
  command('AddWebhookSecret', { source: 'netsuite', secretId: FIRST, sealed, ...extra });
const added = (extra: Partial<Extract<AccessEvent, { type: 'WebhookSecretAdded' }>['data']> = {}): AccessEvent => ({
  type: 'WebhookSecretAdded',
  data: { secretId: FIRST, source: 'netsuite', addedAt: NOW, expiresAt: null, shopDomain: null, sealed, ...extra },
});

describe('access decider (webhook secrets)', () => {
  it('adds a sealed secret, and a second one beside it for a rotation', () => {
    spec.given([]).when(add()).then([added()]);
    spec
      .given([added()])
      .when(add({ secretId: SECOND, expiresAt: '2027-01-01T01:00:00+01:00' }))
      .then([added({ secretId: SECOND, expiresAt: '2027-01-01T00:00:00.000Z' })]);
  });

  it('refuses a secret id twice, a past expiry, and a shop domain for another source than Shopify', () => {
    spec.given([added()]).when(add()).thenRejects('webhook_secret_exists', { secretId: FIRST });
    spec
      .given([])
      .when(add({ expiresAt: NOW }))
      .thenRejects('expiry_not_in_future', { expiresAt: NOW });
    spec
      .given([])
      .when(add({ shopDomain: 'acme.myshopify.com' }))
      .thenRejects('shop_domain_not_shopify', { source: 'netsuite' });
  });

  it('removes one secret; an unknown one is refused', () => {
    const remove = (secretId: string) => command('RemoveWebhookSecret', { source: 'netsuite', secretId });
    spec
      .given([added(), added({ secretId: SECOND })])
      .when(remove(FIRST))
      .then([{ type: 'WebhookSecretRemoved', data: { secretId: FIRST, removedAt: NOW } }]);
    spec.given([added()]).when(remove(SECOND)).thenRejects('unknown_webhook_secret', { secretId: SECOND });
  });

  it('keeps the secrets of a source on their own stream, sealed, never in clear text', () => {
    expect(accessContext.commands.AddWebhookSecret!.aggregateId({ source: 'shopify' })).toBe('webhooks-shopify');
    const schema = accessContext.commands.AddWebhookSecret!.schema;
    expect(schema.safeParse({ source: 'netsuite', secretId: FIRST, sealed, secret: 'whsec_x' }).success).toBe(false);
    expect(schema.safeParse({ source: 'quickbooks', secretId: FIRST, sealed }).success).toBe(false);
    const state = [
      added({ source: 'shopify', shopDomain: 'acme.myshopify.com' }),
      added({ source: 'shopify', secretId: SECOND }),
      { type: 'WebhookSecretRemoved', data: { secretId: FIRST, removedAt: NOW } } as AccessEvent,
    ].reduce(accessDecider.evolve, accessDecider.initialState());
    expect(webhookSecretsOf('acme/webhooks-shopify', JSON.parse(JSON.stringify(state)))).toEqual([
      { secretId: SECOND, tenant: 'acme', source: 'shopify', addedAt: NOW, sealed },
    ]);
    expect(webhookSecretsOf('acme/aaaaaaaaaaaaaaaaaaaa', accessDecider.initialState())).toEqual([]);
  });
});
