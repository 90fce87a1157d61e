import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const subscriptionSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'whsec_ and base64')
  .refine((secret) => {
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'whsec_ and the base64 of 24 to 64 bytes');

/** A new secret of 32 random bytes, as Standard Webhooks receivers expect it. */
export const newSubscriptionSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
