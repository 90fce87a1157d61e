import { randomBytes } from 'node:crypto';
import { openText, sealText, UnsealableTextError, VerityError, type SealedText, type SecretsKey } from '@verity/core';

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

/** A secret as the access events carry it: sealed by `@verity/core`'s secret box. */
export type SealedSecret = SealedText;

/** Where a secret belongs: bound to its ciphertext, so a sealed secret copied to another tenant or source does not open. */
export interface SecretPlace {
  tenant: string;
  source: string;
  secretId: string;
}

const placeOf = (place: SecretPlace): string => `${place.tenant}/${place.source}/${place.secretId}`;

/** Seals a `whsec_` secret with AES-256-GCM under the key-encryption key. */
export function sealSecret(kek: SecretsKey, secret: string, place: SecretPlace): SealedSecret {
  webhookSecretKey(secret);
  return sealText(kek, secret, placeOf(place));
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
  try {
    return openText(kek, sealed, placeOf(place));
  } catch (error) {
    if (error instanceof UnsealableTextError) throw new UnsealableSecretError(place, error.reason);
    throw error;
  }
}
