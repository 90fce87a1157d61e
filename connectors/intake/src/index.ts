export { commandOfChange, UnmappableChangeError, type SourceChange } from './source-change';
export { createCommandIntake, type CommandIntake, type CommandIntakeOptions, type Submitted } from './command-intake';
export {
  createDeadLetters,
  deadLetterIdOf,
  type DeadLetter,
  type DeadLetters,
  type ReplayedMarker,
  type StoredDeadLetter,
} from './dead-letters';
export { syncMetrics, type ChangeOutcome, type SyncMetrics } from './sync-metrics';
export {
  foldDeadLetters,
  readDeadLetters,
  replayDeadLetters,
  type DeadLetterLog,
  type DeadLetterLogOptions,
  type DeadLetterRemap,
  type ReplayOutcome,
} from './dead-letter-log';
// The topic catalogue lives in @verity/events; the ingestors find it here too.
export { deadLettersTopicSpec, ingestorDeadLettersTopic } from '@verity/events';
