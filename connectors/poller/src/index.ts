export {
  POLLED_SOURCES,
  RECORD_KINDS,
  authorizationOf,
  credentialSchema,
  parseInterval,
  polledSourceSchema,
  pollerSettingsSchema,
  type Credential,
  type PolledSource,
  type PollerConfig,
  type PollerSettings,
  type RecordKind,
} from './config';
export { canonicalJson, checksumOf } from './checksum';
export { changeOfRecord, commandIdOf, mapRecord, parsePage, type MappedRecord, type SourcePage } from './records';
export { backoffDelay, retriableStatus, retryAfterMs, type BackoffPolicy } from './backoff';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';
export {
  comparableOf,
  compareRecords,
  overallAccuracy,
  type DriftReport,
  type FieldDifference,
  type Values,
} from './drift';
export { remapPollerLetter } from './dead-letter-remap';
