import { newSecretsKey, secretsKeyOf } from '@verity/core';
import { accessContext, accessDecider, type AccessCommand, type KeyFamilyState } from '@verity/domain';
import { WebhookSecretTable } from './secret-table';
import { newWebhookSecret, sealSecret } from './webhook-secret';

const kek = secretsKeyOf(newSecretsKey());
const NOW = Date.parse('2026-12-02T10:00:00Z');

/** The state the access decider folds for a tenant's secrets of a source, from commands as `verity webhooks` sends them. */
function stateOf(
  tenant: string,
  commands: { type: AccessCommand['type']; data: Record<string, unknown> }[],
): KeyFamilyState {
  return commands.reduce((state, { type, data }) => {
    const command = {
      type,
      data: accessContext.commands[type]!.schema.parse(data),
      metadata: { tenant, now: new Date(NOW) },
    } as AccessCommand;
    return accessDecider.decide(command, state).reduce(accessDecider.evolve, state);
  }, accessDecider.initialState());
}

const add = (
  tenant: string,
  source: string,
  secretId: string,
  secret: string,
  extra: Record<string, unknown> = {},
) => ({
  type: 'AddWebhookSecret' as const,
  data: { source, secretId, sealed: sealSecret(kek, secret, { tenant, source, secretId }), ...extra },
});

describe('the webhook secret table', () => {
  const OLD = newWebhookSecret();
  const NEW = newWebhookSecret();

  it('holds every valid secret of a tenant and source, opened, and drops a removed one', () => {
    const table = new WebhookSecretTable(kek);
    const adds = [
      add('acme', 'netsuite', 'whk_aaaaaaaaaaaaaaaa', OLD),
      add('acme', 'netsuite', 'whk_bbbbbbbbbbbbbbbb', NEW),
    ];
    table.apply('acme/webhooks-netsuite', 1, stateOf('acme', adds));
    expect(table.secretsFor('acme', 'netsuite', NOW).map((s) => s.secretId)).toEqual([
      'whk_aaaaaaaaaaaaaaaa',
      'whk_bbbbbbbbbbbbbbbb',
    ]);
    expect(table.secretsFor('acme', 'shopify', NOW)).toEqual([]);
    expect(table.secretsFor('other', 'netsuite', NOW)).toEqual([]);
    const removed = stateOf('acme', [
      ...adds,
      { type: 'RemoveWebhookSecret', data: { source: 'netsuite', secretId: 'whk_aaaaaaaaaaaaaaaa' } },
    ]);
    // An older snapshot arriving late changes nothing.
    table.apply('acme/webhooks-netsuite', 3, removed);
    table.apply('acme/webhooks-netsuite', 2, stateOf('acme', adds));
    expect(table.secretsFor('acme', 'netsuite', NOW).map((s) => s.secretId)).toEqual(['whk_bbbbbbbbbbbbbbbb']);
    expect(table.list().map((s) => s.secretId)).toEqual(['whk_bbbbbbbbbbbbbbbb']);
  });

  it('leaves out an expired secret, and one sealed under another key (said once)', () => {
    const unsealable: string[] = [];
    const table = new WebhookSecretTable(kek, (secret) => unsealable.push(secret.secretId));
    const foreign = secretsKeyOf(newSecretsKey());
    const state = stateOf('acme', [
      add('acme', 'sap-b1', 'whk_aaaaaaaaaaaaaaaa', OLD, { expiresAt: '2026-12-02T11:00:00Z' }),
      {
        type: 'AddWebhookSecret',
        data: {
          source: 'sap-b1',
          secretId: 'whk_cccccccccccccccc',
          sealed: sealSecret(foreign, NEW, { tenant: 'acme', source: 'sap-b1', secretId: 'whk_cccccccccccccccc' }),
        },
      },
    ]);
    table.apply('acme/webhooks-sap-b1', 1, state);
    expect(table.secretsFor('acme', 'sap-b1', NOW).map((s) => s.secretId)).toEqual(['whk_aaaaaaaaaaaaaaaa']);
    expect(table.secretsFor('acme', 'sap-b1', Date.parse('2026-12-02T11:00:00Z'))).toEqual([]);
    expect(unsealable).toEqual(['whk_cccccccccccccccc']);
    // A later snapshot of the same secrets does not try, or say, it again.
    table.apply('acme/webhooks-sap-b1', 2, state);
    expect(unsealable).toEqual(['whk_cccccccccccccccc']);
  });

  it('finds a shop’s secrets in every tenant that names its domain; ignores key families', () => {
    const table = new WebhookSecretTable(kek);
    const shop = { shopDomain: 'Acme.myshopify.com' };
    table.apply(
      'acme/webhooks-shopify',
      1,
      stateOf('acme', [add('acme', 'shopify', 'whk_aaaaaaaaaaaaaaaa', OLD, shop)]),
    );
    table.apply(
      'evil/webhooks-shopify',
      1,
      stateOf('evil', [add('evil', 'shopify', 'whk_bbbbbbbbbbbbbbbb', NEW, shop)]),
    );
    table.apply('acme/aaaaaaaaaaaaaaaaaaaa', 1, accessDecider.initialState());
    expect(table.shopSecrets(' acme.MYSHOPIFY.com', NOW).map((s) => [s.tenant, s.secretId])).toEqual([
      ['acme', 'whk_aaaaaaaaaaaaaaaa'],
      ['evil', 'whk_bbbbbbbbbbbbbbbb'],
    ]);
    expect(table.shopSecrets('other.myshopify.com', NOW)).toEqual([]);
  });

  it('without the key lists secrets, sealed, and opens none', () => {
    const table = new WebhookSecretTable();
    table.apply('acme/webhooks-netsuite', 1, stateOf('acme', [add('acme', 'netsuite', 'whk_aaaaaaaaaaaaaaaa', OLD)]));
    expect(table.list()).toMatchObject([{ secretId: 'whk_aaaaaaaaaaaaaaaa', tenant: 'acme', source: 'netsuite' }]);
    expect(table.secretsFor('acme', 'netsuite', NOW)).toEqual([]);
  });
});
