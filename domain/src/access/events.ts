import type {
  ApiKeyIssued as ApiKeyIssuedPayload,
  ApiKeyRevoked as ApiKeyRevokedPayload,
  ApiKeyRotated as ApiKeyRotatedPayload,
  DomainEvent,
} from '@verity/core';
import type { WebhookSecretEvent } from './webhook-secrets';

/** Payloads are the generated types of `schemas/access/*.avsc` (newest version of each). */
export type ApiKeyIssued = DomainEvent<'ApiKeyIssued', ApiKeyIssuedPayload>;
export type ApiKeyRotated = DomainEvent<'ApiKeyRotated', ApiKeyRotatedPayload>;
export type ApiKeyRevoked = DomainEvent<'ApiKeyRevoked', ApiKeyRevokedPayload>;

export type AccessEvent = ApiKeyIssued | ApiKeyRotated | ApiKeyRevoked | WebhookSecretEvent;

export const ACCESS_EVENTS = [
  'ApiKeyIssued',
  'ApiKeyRotated',
  'ApiKeyRevoked',
  'WebhookSecretAdded',
  'WebhookSecretRemoved',
] as const satisfies readonly AccessEvent['type'][];
