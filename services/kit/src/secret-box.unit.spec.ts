import { randomBytes } from 'node:crypto';
import { openText, sealText, secretsKeyOf } from './secret-box';

const key = secretsKeyOf(randomBytes(32).toString('base64'));

describe('secret box', () => {
  it('opens what it sealed, and the sealed value does not contain the text', () => {
    const sealed = sealText(key, 'token-123', 'acme/netsuite');
    expect(JSON.stringify(sealed)).not.toContain('token-123');
    expect(openText(key, sealed, 'acme/netsuite')).toBe('token-123');
  });

  it('refuses another place, another key and an altered ciphertext', () => {
    const sealed = sealText(key, 'token-123', 'acme/netsuite');
    expect(() => openText(key, sealed, 'other/netsuite')).toThrow(/failed authentication/);
    expect(() => openText(secretsKeyOf(randomBytes(32).toString('base64')), sealed, 'acme/netsuite')).toThrow(
      /sealed under key/,
    );
    const altered = { ...sealed, ciphertext: Buffer.from('x'.repeat(9)).toString('base64url') };
    expect(() => openText(key, altered, 'acme/netsuite')).toThrow(/failed authentication/);
  });

  it('takes only a 32-byte key', () => {
    expect(() => secretsKeyOf(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
