export { cloudEventOf, CLOUDEVENTS_CONTENT_TYPE, type CloudEventJson } from './cloud-event';
export {
  checkEndpoint,
  checkEndpointUrl,
  EndpointRefusedError,
  isNonPublicAddress,
  type EndpointPolicy,
} from './endpoint-policy';
export {
  claimLanes,
  countFailures,
  DELIVERIES_TABLE,
  enqueueDeliveries,
  failureRuns,
  LANE_LEASES_TABLE,
  listDeliveries,
  outboxMigrations,
  pendingOf,
  pruneDeliveries,
  recordAttempts,
  redeliver,
  renewLease,
  resumeSubscription,
  type AttemptOutcome,
  type DeliveryView,
  type Lane,
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
