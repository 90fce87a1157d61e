import { hashSecret, newApiKey, parseApiKey, verifySecret } from './api-key';

describe('API keys', () => {
  it('are vk_<20 base32 characters>_<32 bytes base64url>, different every time', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).toMatch(/^vk_[a-z2-7]{20}_[A-Za-z0-9_-]{43}$/);
    expect(a.key).toBe(`vk_${a.keyId}_${a.secret}`);
    expect(Buffer.from(a.secret, 'base64url')).toHaveLength(32);
    expect(a.keyId).not.toBe(b.keyId);
    expect(a.secret).not.toBe(b.secret);
  });

  it('parse back into their id and secret; anything else is undefined', () => {
    const { key, keyId, secret } = newApiKey();
    expect(parseApiKey(key)).toEqual({ keyId, secret });
    for (const other of [
      '',
      'eyJhbGciOiJIUzI1NiJ9.e30.sig',
      `vk_${keyId}`,
      `vk_${keyId.toUpperCase()}_${secret}`,
      `vk_${keyId}_${secret}x`,
      `vk_${keyId}_${secret.slice(1)}`,
      ` ${key}`,
      `${key}\n`,
    ])
      expect(parseApiKey(other)).toBeUndefined();
  });

  it('keep a salted hash that verifies the secret and nothing else', async () => {
    const { secret } = newApiKey();
    const stored = await hashSecret(secret);
    expect(Buffer.from(stored.salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(stored.hash, 'base64url')).toHaveLength(32);
    expect(JSON.stringify(stored)).not.toContain(secret);
    await expect(verifySecret(secret, stored)).resolves.toBe(true);
    await expect(verifySecret(newApiKey().secret, stored)).resolves.toBe(false);
    await expect(verifySecret(`${secret}x`, stored)).resolves.toBe(false);
  });

  it('salt each hash: the same secret hashes differently, and both verify', async () => {
    const { secret } = newApiKey();
    const [a, b] = await Promise.all([hashSecret(secret), hashSecret(secret)]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    await expect(verifySecret(secret, b)).resolves.toBe(true);
  });

  it('refuse a stored hash of the wrong length instead of throwing', async () => {
    const { secret } = newApiKey();
    const stored = await hashSecret(secret);
    await expect(verifySecret(secret, { ...stored, hash: stored.hash.slice(0, 20) })).resolves.toBe(false);
  });
});
