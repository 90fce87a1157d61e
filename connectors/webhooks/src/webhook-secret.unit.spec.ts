import {
  newSecretsKey,
  newWebhookSecret,
  newWebhookSecretId,
  openSecret,
  parseSecretsKey,
  sealSecret,
  webhookSecretKey,
} from './webhook-secret';

const kek = parseSecretsKey(newSecretsKey());
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
    expect(() => openSecret(parseSecretsKey(newSecretsKey()), sealed, place)).toThrow(/sealed under key/);
    const altered = {
      ...sealed,
      ciphertext:
        `A${sealed.ciphertext.slice(1)}` === sealed.ciphertext
          ? `B${sealed.ciphertext.slice(1)}`
          : `A${sealed.ciphertext.slice(1)}`,
    };
    expect(() => openSecret(kek, altered, place)).toThrow(/authentication failed/);
  });

  it('take a key-encryption key of 32 bytes only', () => {
    expect(() => parseSecretsKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    expect(parseSecretsKey(Buffer.alloc(32, 1).toString('base64')).id).toMatch(/^[0-9a-f]{16}$/);
  });
});
