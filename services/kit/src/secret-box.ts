import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The key-encryption key of secrets Verity keeps for others (`VERITY_SECRETS_KEY`, the base64 of
 * 32 bytes) and an id that names it without telling it: which key sealed a secret.
 */
export interface SecretsKey {
  key: Buffer;
  /** 8 bytes of its SHA-256, hex. */
  id: string;
}

/** Throws (without the value, which is a secret) unless `base64` is 32 bytes. */
export function secretsKeyOf(base64: string): SecretsKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32)
    throw new RangeError('VERITY_SECRETS_KEY must be the base64 of 32 bytes (openssl rand -base64 32)');
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

/** A secret sealed with AES-256-GCM: what is stored, never the secret. */
export interface SealedText {
  kek: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * Seals `text` under the key, bound to `place` (additional data, e.g. `<tenant>/<source>`), so a
 * sealed value copied to another place does not open.
 */
export function sealText(kek: SecretsKey, text: string, place: string): SealedText {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(Buffer.from(place, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return {
    kek: kek.id,
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** The text a sealed value holds; throws, naming neither, when the key is another or the value was altered. */
export function openText(kek: SecretsKey, sealed: SealedText, place: string): string {
  if (sealed.kek !== kek.id) throw new Error(`sealed under key ${sealed.kek}, not ${kek.id}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(place, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Error(`sealed value for ${place} failed authentication`);
  }
}
