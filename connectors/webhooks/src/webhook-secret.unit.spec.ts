import { newSecretsKey, secretsKeyOf } from '@verity/core';
import {
  newWebhookSecret,
  newWebhookSecretId,
  openSecret,
  sealSecret,
  UnsealableSecretError,
  webhookSecretKey,
} from './webhook-secret';

const kek = secretsKeyOf(newSecretsKey());
const place = { tenant: 'acme', source: 'netsuite', secretId: 'whk_aaaaaaaaaaaaaaaa' };

describe('webhook secrets', () => {
  it('are whsec_ and base64 of 32 random bytes, with ids of whk_ and base32', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(secret)).toHaveLength(32);
    expect(newWebhookSecretId()).toMatch(/^whk_[a-z2-7]{16}$/);
    for (const bad of ['secret', 'whsec_', 'whsec_c2hvcnQ=', `whsec_${'a'.repeat(43)}!`, `whsk_${'A'.repeat(44)}`])
      expect(() => webhookSecretKey(bad)).toThrow(/whsec_/);
  });

  it('seal under the key-encryption key and open only in their own place under the same key', () => {
    const secret = newWebhookSecret();
    const sealed = sealSecret(kek, secret, place);
    expect(JSON.stringify(sealed)).not.toContain(secret.slice(6, 20));
    expect(sealed).toMatchObject({
      kek: kek.id,
      iv: expect.stringMatching(/^[\w-]{16}$/),
      tag: expect.stringMatching(/^[\w-]{22}$/),
    });
    expect(openSecret(kek, sealed, place)).toBe(secret);
    expect(() => openSecret(kek, sealed, { ...place, tenant: 'other' })).toThrow(/authentication failed/);
    expect(() => openSecret(secretsKeyOf(newSecretsKey()), sealed, place)).toThrow(/sealed under key/);
    const altered = {
      ...sealed,
      ciphertext:
        `A${sealed.ciphertext.slice(1)}` === sealed.ciphertext
          ? `B${sealed.ciphertext.slice(1)}`
          : `A${sealed.ciphertext.slice(1)}`,
    };
    expect(() => openSecret(kek, altered, place)).toThrow(/authentication failed/);
  });

  it('open a secret sealed by the earlier webhook module, and refuse it in another place as unsealable_webhook_secret', () => {
    // Sealed under the key of 32 bytes of 7 before the seal moved to @verity/core.
    const sealed = {
      kek: '4bb06f8e4e3a7715',
      iv: 'mNEAfdPCDyfyBD-F',
      ciphertext: 'wMLwvru0k7m4wqfbrhO_qAf05gmQqRzfFkrgnZelWLR-txH0106F7Ev1dbdNnORdv0E',
      tag: 'a64XWSz-7ZjGORdHKD6Asw',
    };
    const old = secretsKeyOf(Buffer.alloc(32, 7).toString('base64'));
    expect(openSecret(old, sealed, place)).toBe(`whsec_${Buffer.alloc(32, 9).toString('base64')}`);
    const moved = { ...place, secretId: 'whk_bbbbbbbbbbbbbbbb' };
    expect(() => openSecret(old, sealed, moved)).toThrow(UnsealableSecretError);
    expect(() => openSecret(old, sealed, moved)).toThrow(
      'webhook secret whk_bbbbbbbbbbbbbbbb cannot be opened: authentication failed',
    );
  });
});
