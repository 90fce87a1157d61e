export { changesOfDelivery, commandIdOf, type Delivery } from './delivery';
export { DEFAULT_LOCATION, DEFAULT_UNIT, type MappedChange, type TopicMapping } from './mapped-change';
export { WEBHOOK_SOURCE_SPECS, topicOf, type SignatureScheme, type WebhookSourceSpec } from './sources';
export {
  openedSecret,
  shopifySignatureHeaders,
  standardWebhooksHeaders,
  verifyShopify,
  verifyStandardWebhooks,
  type OpenedSecret,
  type SignatureFailure,
  type Verified,
} from './signatures';
export {
  InvalidWebhookSecretError,
  UnsealableSecretError,
  newWebhookSecret,
  newWebhookSecretId,
  openSecret,
  sealSecret,
  webhookSecretKey,
  type SealedSecret,
  type SecretPlace,
} from './webhook-secret';
export { WebhookSecretDirectory, type WebhookSecretDirectoryOptions } from './secret-directory';
export { WebhookSecretTable } from './secret-table';
export { replayWebhookLetter } from './dead-letter-replay';
