export { cloudEventOf, CLOUDEVENTS_CONTENT_TYPE, type CloudEventJson } from './cloud-event';
export {
  checkEndpoint,
  checkEndpointUrl,
  EndpointRefusedError,
  isNonPublicAddress,
  type EndpointPolicy,
} from './endpoint-policy';
export {
  countFailures,
  DELIVERIES_TABLE,
  enqueueDeliveries,
  failureRuns,
  listDeliveries,
  nextDeliveries,
  outboxMigrations,
  pruneDeliveries,
  recordAttempts,
  redeliver,
  resumeSubscription,
  type AttemptOutcome,
  type DeliveryView,
  type NewDelivery,
  type QueuedDelivery,
} from './outbox';
export { afterFailure, DEFAULT_RETRY_SCHEDULE, type AfterFailure, type RetrySchedule } from './retry-schedule';
export { DeliverySender, type DeliverySenderOptions, type SendResult } from './sender';
export { SubscriptionDirectory, type SubscriptionDirectoryOptions } from './subscription-directory';
export { newSubscriptionSecret, subscriptionSecretSchema } from './subscription-secret';
export { endpointPolicyEnvSchema, endpointPolicyOf, type EndpointPolicyEnv } from './policy-env';
export {
  deliverableContexts,
  deliverableEventTypes,
  newSubscriptionId,
  UNDELIVERABLE_CONTEXTS,
  unknownEventTypes,
} from './deliverable-events';
