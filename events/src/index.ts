export { retry, sleep, type RetryOptions } from './retry';
export { isUndefinedTable, pgErrorCode } from './pg-errors';
export { startPeriodicPrune, type PeriodicPruneOptions } from './periodic-prune';
export { fetchTopicOffsets, type TopicPartitionOffsets } from './topic-offsets';
export { topicRange, type PartitionRange, type TopicPosition } from './topic-range';
export { readTopicToEnd, type TopicReadOptions } from './topic-reader';
export { createLogger, type Logger } from './logger';
export { sharedCounter, sharedGauge } from './metrics';
export { createKafka } from './kafka';
export { kafkajsSecurity, librdkafkaSecurity, type KafkaSecurity } from './kafka-security';
export { createCommandProducer, createRdKafka, type RdConsumer, type RdKafka, type RdProducer } from './rdkafka';
export {
  ALIAS_RESOLUTIONS_TOPIC_RETENTION_MS,
  DEFAULT_OUTCOME_RETENTION_MS,
  DEFAULT_TOPIC_PREFIX,
  INGESTORS,
  aliasResolutionsTopic,
  aliasResolutionsTopicSpec,
  contextTopics,
  contextTopicConfigs,
  deadLettersTopicSpec,
  ensureTopics,
  ingestorDeadLettersTopic,
  processorGroupId,
  projectionGroupId,
  READ_MODELS_GROUP,
  repliesTopic,
  repliesTopicConfig,
  type ContextTopics,
  type Ingestor,
  type RepliesTopicOptions,
  type TopicSpec,
} from './topics';
export { SchemaCatalog, defaultSchemasDir, type RawRecordSchema, type SchemaVersion } from './schema-catalog';
export { frame, unframe } from './wire-format';
export {
  AVRO_SCHEMA_FORMAT,
  asyncApiMessageId,
  buildAsyncApi,
  type AsyncApiContext,
  type AsyncApiOptions,
} from './asyncapi';
export { AvroSerde, InvalidEventPayloadError, subjectOf, type DecodedValue } from './avro-serde';
export {
  createCommandProcessor,
  type CommandProcessor,
  type CommandProcessorOptions,
} from './processor/command-processor';
export { parseSnapshot, snapshotRecord, type StreamSnapshot } from './processor/stream-snapshot';
export {
  assignedReaderSettings,
  PartitionReader,
  recordHeaders,
  type PartitionReaderOptions,
  type ReadRecord,
} from './partition-reader';
export { ReplyTimeoutError, startCommandSender, type CommandSender, type CommandSenderOptions } from './command-sender';
// The processor's pure decide and settle steps: tools that write streams as it does (the scale bench's loader) use them.
export { decideBatch, settleBatch, type DecidedBatch, type SettledBatch } from './processor/decide-batch';
export type { ReadCommandRecord } from './processor/command-record';
export { createProjector, type Projector, type ProjectorOptions } from './projector/projector';
export { createRebuildProjector, type RebuildProjectorOptions } from './projector/rebuild-projector';
export {
  CHECKPOINTS_TABLE,
  ensureCheckpointTable,
  readCheckpoints,
  withCheckpoint,
  type CheckpointKey,
} from './projector/checkpoints';
export {
  CHECKPOINTED_RUN,
  commitOffsetsEverySecond,
  readersOf,
  seekToCheckpointsOnJoin,
  type CheckpointSeek,
  type OffsetCommits,
} from './projector/checkpoint-seek';
export { migrateProjection } from './projector/batch';
export {
  checkpointsChannel,
  encodeCheckpointNotice,
  parseCheckpointNotice,
  publishCheckpointNotice,
  type CheckpointNotice,
} from './projector/checkpoint-notice';
export { TENANT_SETTING, tenantRowSecurityMigration } from './projector/row-security';
export { grantReader, readerRoleOf, type ReaderRole } from './projector/reader-role';
export {
  createCommandOutcomesProjector,
  type CommandOutcomesProjectorOptions,
} from './projector/command-outcomes/outcomes-projector';
export { COMMAND_OUTCOMES_TABLE } from './projector/command-outcomes/migrations';
export { parseCommandReply } from './projector/command-outcomes/outcome-records';
export { findCommandOutcome, type SqlClient } from './projector/command-outcomes/outcome-store';
export type {
  AnyProjection,
  EventEnvelope,
  Projection,
  ProjectedEvent,
  ProjectedEventOf,
  ProjectionCache,
  ProjectionOf,
  ProjectionStore,
  ProjectionTransaction,
} from './projector/projection';
export { BadSchemaFileError, readSchemaFiles } from './schema-catalog';
export {
  SchemaCompatibilityError,
  SchemaVersionsError,
  checkCatalogCompatibility,
  checkEventCompatibility,
  incompatibilities,
} from './schema-compatibility';
export { checkSchemas, type SchemaCheckReport } from './schema-check';
export {
  CHAIN_START,
  linkBreak,
  verifyChain,
  type ChainAnchor,
  type ChainBreak,
  type ChainBreakKind,
  type ChainLink,
  type ChainReport,
  type LinkBreak,
} from './audit/chain-verification';
export { ChainFollower, type StreamChainBreak, type StreamChainSummary } from './audit/chain-follower';
export { streamPartition } from './audit/stream-partition';
export {
  UnknownTopicError,
  readStream,
  type ReadProgress,
  type ReadStreamOptions,
  type StreamEvent,
} from './audit/stream-reader';
export { auditHistory, auditVerify, type HistoryRow, type StreamVerification } from './audit/stream-audit';
export { HistoryGapError, stateAt, type StatePoint, type StreamStateAt } from './audit/stream-state';
export { UpcastError, UpcasterChain, type Upcaster } from './upcasters';
export {
  ProcessorsRunningError,
  rebuildStates,
  type StateRebuildOptions,
  type StateRebuildProgress,
  type StateRebuildSummary,
} from './processor/state-rebuild';
export { StateAheadOfLogError, StreamVersionGapError } from './processor/state-rebuild-fold';
export { CACHE_TTL_MS, cacheIfNewer, changesChannel, readCached, uncacheAt } from './versioned-cache';
export {
  encodeChangeNotice,
  parseChangeNotice,
  publishChangeNotice,
  type ChangeNotice,
  type ChangeNoticeOf,
} from './change-notice';
