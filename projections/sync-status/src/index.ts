export { syncStatusProjection } from './projection';
export {
  createDeadLetterProjector,
  deadLetterRecordOf,
  type DeadLetterProjectorOptions,
} from './dead-letter-projector';
export { readSyncStatus, type SourceSyncStatus } from './sync-status-view';
export { SYNC_DEAD_LETTERS_TABLE, SYNC_SOURCES_TABLE } from './migrations';
