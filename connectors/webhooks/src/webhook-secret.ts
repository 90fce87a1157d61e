import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { VerityError } from '@verity/core';

/** The Standard Webhooks secret format: `whsec_` and the base64 of the key's bytes. */
const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
/** The longest key taken: Standard Webhooks keys are 24 to 64 bytes; a Shopify app secret fits too. */
const MAX_KEY_BYTES = 256;

/** A secret that is not `whsec_` and base64 of 16 to 256 bytes. */
export class InvalidWebhookSecretError extends VerityError {
  constructor() {
    // The secret itself is never in a message: errors are logged.
    super('invalid_webhook_secret', 'a webhook secret is whsec_ and the base64 of 16 to 256 bytes');
  }
}

/** The key bytes of a `whsec_` secret, which both schemes sign with. */
export function webhookSecretKey(secret: string): Buffer {
  const match = SECRET_PATTERN.exec(secret);
  const key = match ? Buffer.from(match[1]!, 'base64') : Buffer.alloc(0);
  if (key.length < 16 || key.length > MAX_KEY_BYTES || key.toString('base64') !== match?.[1])
    throw new InvalidWebhookSecretError();
  return key;
}

/** A new secret: 32 random bytes, the size Standard Webhooks recommends. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A new secret id, `whk_` and 16 characters of base32 (80 random bits). */
export const newWebhookSecretId = (): string => `whk_${[...randomBytes(16)].map((b) => BASE32[b % 32]).join('')}`;

/** The key-encryption key (`VERITY_SECRETS_KEY`): 32 bytes, and an id that names it without telling it. */
export interface SecretsKey {
  key: Buffer;
  /** 8 bytes of its SHA-256, hex: which key sealed a secret. */
  id: string;
}

/** `VERITY_SECRETS_KEY` is not the base64 of 32 bytes. */
export class InvalidSecretsKeyError extends VerityError {
  constructor() {
    super('invalid_secrets_key', 'VERITY_SECRETS_KEY must be the base64 of 32 bytes (openssl rand -base64 32)');
  }
}

export function parseSecretsKey(base64: string): SecretsKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new InvalidSecretsKeyError();
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

/** A new key-encryption key, base64: what a local `verity up` keeps in `.verity/`. */
export const newSecretsKey = (): string => randomBytes(32).toString('base64');

/** A secret as the access events carry it. */
export interface SealedSecret {
  kek: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** Where a secret belongs: bound to its ciphertext, so a sealed secret copied to another tenant or source does not open. */
export interface SecretPlace {
  tenant: string;
  source: string;
  secretId: string;
}

const additionalData = (place: SecretPlace): Buffer =>
  Buffer.from(`${place.tenant}/${place.source}/${place.secretId}`, 'utf8');

/** Seals a `whsec_` secret with AES-256-GCM under the key-encryption key. */
export function sealSecret(kek: SecretsKey, secret: string, place: SecretPlace): SealedSecret {
  webhookSecretKey(secret);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(additionalData(place));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return {
    kek: kek.id,
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** A sealed secret this key cannot open: sealed under another key, or altered. */
export class UnsealableSecretError extends VerityError {
  constructor(place: SecretPlace, reason: string) {
    super('unsealable_webhook_secret', `webhook secret ${place.secretId} cannot be opened: ${reason}`, {
      context: { ...place },
    });
  }
}

/** The `whsec_` secret a sealed one holds. */
export function openSecret(kek: SecretsKey, sealed: SealedSecret, place: SecretPlace): string {
  if (sealed.kek !== kek.id) throw new UnsealableSecretError(place, `sealed under key ${sealed.kek}, not ${kek.id}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(additionalData(place));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new UnsealableSecretError(place, 'authentication failed');
  }
}
