import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { VerityError } from './errors';

/**
 * The key-encryption key of the secrets Verity keeps for others (`VERITY_SECRETS_KEY`, the base64
 * of 32 bytes): webhook secrets in the access events, poller credentials in the poller's table.
 * Its id names it without telling it: which key sealed a value.
 */
export interface SecretsKey {
  key: Buffer;
  /** 8 bytes of its SHA-256, hex. */
  id: string;
}

/** `VERITY_SECRETS_KEY` is not the base64 of 32 bytes (the message never holds the value, a secret). */
export class InvalidSecretsKeyError extends VerityError {
  constructor() {
    super('invalid_secrets_key', 'VERITY_SECRETS_KEY must be the base64 of 32 bytes (openssl rand -base64 32)');
  }
}

export function secretsKeyOf(base64: string): SecretsKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new InvalidSecretsKeyError();
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

/** A new key-encryption key, base64: what a local `verity up` keeps in `.verity/`. */
export const newSecretsKey = (): string => randomBytes(32).toString('base64');

/** A value sealed with AES-256-GCM: what is stored, never the value. base64url fields; a 12-byte IV. */
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

/** A sealed value this key cannot open: sealed under another key, for another place, or altered. */
export class UnsealableTextError extends VerityError {
  constructor(
    place: string,
    readonly reason: string,
  ) {
    super('unsealable_text', `sealed value for ${place} cannot be opened: ${reason}`, { context: { place } });
  }
}

/** The text a sealed value holds; `UnsealableTextError` (naming neither) when it does not open here. */
export function openText(kek: SecretsKey, sealed: SealedText, place: string): string {
  if (sealed.kek !== kek.id) throw new UnsealableTextError(place, `sealed under key ${sealed.kek}, not ${kek.id}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(place, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new UnsealableTextError(place, 'authentication failed');
  }
}
