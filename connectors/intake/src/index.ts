export { commandOfChange, UnmappableChangeError, type SourceChange } from './source-change';
export { createCommandIntake, type CommandIntake, type CommandIntakeOptions, type Submitted } from './command-intake';
export {
  createDeadLetters,
  deadLettersTopicSpec,
  ingestorDeadLettersTopic,
  type DeadLetter,
  type DeadLetters,
} from './dead-letters';
export { syncMetrics, type ChangeOutcome, type SyncMetrics } from './sync-metrics';
