import { z } from 'zod';
import type { DomainCommand } from '@verity/core';
import { ROLE_GRAMMAR, ROLE_PATTERN } from './roles';
import type { WebhookSecretCommand } from './webhook-secrets';
import type { WebhookSubscriptionCommand } from './webhook-subscriptions';

/** The public part of a key, `vk_<keyId>_<secret>`: 20 characters of base32. */
export const apiKeyIdSchema = z.string().regex(/^[a-z2-7]{20}$/, 'key id: 20 characters of a-z and 2-7');

/** A scrypt hash of the secret with its 16-byte salt, base64url: commands carry this, never the secret. */
const secretHash = z.strictObject({
  salt: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'salt: 16 bytes, base64url'),
  hash: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'hash: 32 bytes, base64url'),
});

/** ISO 8601 with an offset, kept in UTC (`...Z`) so expiries compare as the same instant everywhere. */
const instant = z.iso.datetime({ offset: true }).transform((at) => new Date(at).toISOString());

export const apiKeyRolesSchema = z
  .array(z.string().regex(ROLE_PATTERN, `role: ${ROLE_GRAMMAR}`))
  .min(1, 'at least one role')
  .max(32)
  .transform((roles) => [...new Set(roles)]);

/** A new key family: its first key, with the roles every key of the family holds. */
export const issueApiKeySchema = z.strictObject({
  keyId: apiKeyIdSchema,
  name: z.string().trim().min(1).max(200).optional(),
  roles: apiKeyRolesSchema,
  expiresAt: instant.optional(),
  secretHash,
});
export type IssueApiKeyData = z.infer<typeof issueApiKeySchema>;

/**
 * A new key in the family of `replaces`, which stays valid beside it until it is revoked or
 * expires (sooner when `replacedKeyExpiresAt` says so). `family` is the family's first key id,
 * the stream; it may be left out when `replaces` is that first key.
 */
export const rotateApiKeySchema = z.strictObject({
  family: apiKeyIdSchema.optional(),
  replaces: apiKeyIdSchema,
  keyId: apiKeyIdSchema,
  expiresAt: instant.optional(),
  replacedKeyExpiresAt: instant.optional(),
  secretHash,
});
export type RotateApiKeyData = z.infer<typeof rotateApiKeySchema>;

/** Refuses one key from now on. `family` as for a rotation: needed for any key but the first. */
export const revokeApiKeySchema = z.strictObject({
  family: apiKeyIdSchema.optional(),
  keyId: apiKeyIdSchema,
});
export type RevokeApiKeyData = z.infer<typeof revokeApiKeySchema>;

export type AccessCommand =
  | DomainCommand<'IssueApiKey', IssueApiKeyData>
  | DomainCommand<'RotateApiKey', RotateApiKeyData>
  | DomainCommand<'RevokeApiKey', RevokeApiKeyData>
  | WebhookSecretCommand
  | WebhookSubscriptionCommand;
