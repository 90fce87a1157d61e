import type {
  ApiKeyIssued as ApiKeyIssuedPayload,
  ApiKeyRevoked as ApiKeyRevokedPayload,
  ApiKeyRotated as ApiKeyRotatedPayload,
  DomainEvent,
} from '@verity/core';
import type { WebhookSecretEvent } from './webhook-secrets';
import { WEBHOOK_SUBSCRIPTION_EVENTS, type WebhookSubscriptionEvent } from './webhook-subscriptions';

/** Payloads are the generated types of `schemas/access/*.avsc` (newest version of each). */
export type ApiKeyIssued = DomainEvent<'ApiKeyIssued', ApiKeyIssuedPayload>;
export type ApiKeyRotated = DomainEvent<'ApiKeyRotated', ApiKeyRotatedPayload>;
export type ApiKeyRevoked = DomainEvent<'ApiKeyRevoked', ApiKeyRevokedPayload>;

export type AccessEvent = ApiKeyIssued | ApiKeyRotated | ApiKeyRevoked | WebhookSecretEvent | WebhookSubscriptionEvent;

export const ACCESS_EVENTS = [
  'ApiKeyIssued',
  'ApiKeyRotated',
  'ApiKeyRevoked',
  'WebhookSecretAdded',
  'WebhookSecretRemoved',
  ...WEBHOOK_SUBSCRIPTION_EVENTS,
] as const satisfies readonly AccessEvent['type'][];
