import { defineContext } from '@verity/core';
import { issueApiKeySchema, revokeApiKeySchema, rotateApiKeySchema, type AccessCommand } from './commands';
import { accessDecider, type KeyFamilyState } from './decider';
import { ACCESS_EVENTS, type AccessEvent } from './events';
import { addWebhookSecretSchema, removeWebhookSecretSchema, webhookSecretsAggregateId } from './webhook-secrets';
import {
  createWebhookSubscriptionSchema,
  disableWebhookSubscriptionSchema,
  endWebhookSubscriptionSecretOverlapSchema,
  rotateWebhookSubscriptionSecretSchema,
  subscriptionIdOnlySchema,
} from './webhook-subscriptions';

/** An outbound webhook subscription's stream is `<tenant>/<subscriptionId>`. */
const subscription = <S>(schema: S) => ({
  schema,
  aggregateId: (payload: Record<string, unknown>) => String(payload.subscriptionId),
});

/** A key family's stream is `<tenant>/<id of its first key>`; later commands name it, or the first key. */
const familyOf = (payload: Record<string, unknown>, firstKey: 'keyId' | 'replaces'): string =>
  String(payload.family ?? payload[firstKey]);

/**
 * API keys and webhook secrets: issuing, rotating and revoking them are commands, so every
 * change to access is an event in the log. An API key's secret never reaches a command, only its
 * salted hash does; a webhook secret, which must sign again, only sealed (AES-256-GCM).
 */
export const accessContext = defineContext<KeyFamilyState, AccessCommand, AccessEvent>({
  name: 'access',
  commands: {
    IssueApiKey: { schema: issueApiKeySchema, aggregateId: (payload) => String(payload.keyId) },
    RotateApiKey: { schema: rotateApiKeySchema, aggregateId: (payload) => familyOf(payload, 'replaces') },
    RevokeApiKey: { schema: revokeApiKeySchema, aggregateId: (payload) => familyOf(payload, 'keyId') },
    AddWebhookSecret: {
      schema: addWebhookSecretSchema,
      aggregateId: (payload) => webhookSecretsAggregateId(String(payload.source)),
    },
    RemoveWebhookSecret: {
      schema: removeWebhookSecretSchema,
      aggregateId: (payload) => webhookSecretsAggregateId(String(payload.source)),
    },
    CreateWebhookSubscription: subscription(createWebhookSubscriptionSchema),
    RotateWebhookSubscriptionSecret: subscription(rotateWebhookSubscriptionSecretSchema),
    EndWebhookSubscriptionSecretOverlap: subscription(endWebhookSubscriptionSecretOverlapSchema),
    DisableWebhookSubscription: subscription(disableWebhookSubscriptionSchema),
    EnableWebhookSubscription: subscription(subscriptionIdOnlySchema),
    DeleteWebhookSubscription: subscription(subscriptionIdOnlySchema),
  },
  decider: accessDecider,
  events: ACCESS_EVENTS,
});

export { accessDecider, type ApiKeyState, type KeyFamilyState } from './decider';
export { apiKeysOf, type ApiKeyView } from './api-keys';
export { apiKeyIdSchema, apiKeyRolesSchema } from './commands';
export { ROLE_GRAMMAR, ROLE_PATTERN } from './roles';
export {
  WEBHOOK_SOURCES,
  shopDomainSchema,
  webhookSecretIdSchema,
  webhookSecretsOf,
  type WebhookSecretView,
  type WebhookSource,
} from './webhook-secrets';
export {
  eventTypePatternSchema,
  MAX_ROTATION_OVERLAP_SECONDS,
  subscriptionMatches,
  subscriptionSecretPlace,
  webhookSubscriptionIdSchema,
  webhookSubscriptionsOf,
  type MatchableEvent,
  type WebhookSubscriptionView,
} from './webhook-subscriptions';
export type { AccessCommand } from './commands';
export type { AccessEvent } from './events';
