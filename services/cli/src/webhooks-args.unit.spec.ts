import { parseWebhooksArgs } from './webhooks-args';
import { webhookSecretsTable } from './webhooks-command';
import { parseWebhooksBenchOptions } from './webhooks-bench';

describe('verity webhooks arguments', () => {
  it('reads set, list and remove', () => {
    expect(parseWebhooksArgs(['secret', 'set', '--tenant', 'acme', '--source', 'netsuite'])).toEqual({
      action: 'set',
      tenant: 'acme',
      source: 'netsuite',
    });
    expect(
      parseWebhooksArgs([
        'secret',
        'set',
        '--tenant=acme',
        '--source=shopify',
        '--shop-domain',
        'Acme.myshopify.com',
        '--secret',
        'whsec_x',
        '--expires',
        '2027-01-01T00:00:00Z',
      ]),
    ).toEqual({
      action: 'set',
      tenant: 'acme',
      source: 'shopify',
      shopDomain: 'acme.myshopify.com',
      secret: 'whsec_x',
      expiresAt: '2027-01-01T00:00:00Z',
    });
    expect(parseWebhooksArgs(['secret', 'list'])).toEqual({ action: 'list' });
    expect(parseWebhooksArgs(['secret', 'remove', 'whk_abcdefghijklmnop'])).toEqual({
      action: 'remove',
      secretId: 'whk_abcdefghijklmnop',
    });
  });

  it('names what is wrong, and never echoes a secret', () => {
    const refused = (args: string[]) => () => parseWebhooksArgs(args);
    expect(refused(['keys'])).toThrow(/webhooks needs secret/);
    expect(refused(['secret', 'rotate'])).toThrow(/set, list or remove/);
    expect(refused(['secret', 'set', '--source', 'netsuite'])).toThrow(/needs --tenant/);
    expect(refused(['secret', 'set', '--tenant', 'acme'])).toThrow(/needs --source/);
    expect(refused(['secret', 'set', '--tenant', 'acme', '--source', 'quickbooks'])).toThrow(/one of netsuite/);
    expect(refused(['secret', 'set', '--tenant', 'acme', '--source', 'netsuite', '--shop-domain', 'a.b'])).toThrow(
      /for --source shopify/,
    );
    expect(refused(['secret', 'set', '--tenant', 'Acme', '--source', 'netsuite'])).toThrow(/--tenant Acme/);
    expect(refused(['secret', 'remove', 'vk_1'])).toThrow(/whk_/);
    expect(refused(['secret', 'list', '--source', 'netsuite'])).toThrow(/unknown option --source/);
  });

  it('lists secrets by id, never a secret', () => {
    const sealed = { kek: '0123456789abcdef', iv: 'iv', ciphertext: 'SEALED', tag: 'tag' };
    const table = webhookSecretsTable(
      [
        {
          secretId: 'whk_b',
          tenant: 'acme',
          source: 'shopify',
          addedAt: '2026-12-02T10:00:00.000Z',
          shopDomain: 'a.myshopify.com',
          sealed,
        },
        {
          secretId: 'whk_a',
          tenant: 'acme',
          source: 'netsuite',
          addedAt: '2026-12-01T10:00:00.000Z',
          expiresAt: '2026-12-01T11:00:00.000Z',
          sealed,
        },
      ],
      Date.parse('2026-12-02T12:00:00Z'),
    );
    expect(table.split('\n')).toEqual([
      'SECRET ID  TENANT  SOURCE    SHOP DOMAIN      ADDED                     EXPIRES                   STATUS',
      'whk_a      acme    netsuite  -                2026-12-01T10:00:00.000Z  2026-12-01T11:00:00.000Z  expired',
      'whk_b      acme    shopify   a.myshopify.com  2026-12-02T10:00:00.000Z  -                         active',
      '',
    ]);
    expect(table).not.toContain('SEALED');
  });

  it('reads the bench options with their defaults', () => {
    expect(parseWebhooksBenchOptions([])).toEqual({ duration: 10, warmup: 2, connections: 32, skus: 1000 });
    expect(parseWebhooksBenchOptions(['--connections', '128', '--duration=5'])).toMatchObject({
      connections: 128,
      duration: 5,
    });
    expect(() => parseWebhooksBenchOptions(['--rate', '5'])).toThrow(/rate/);
    expect(() => parseWebhooksBenchOptions(['--connections', '0'])).toThrow(/--connections/);
  });
});
