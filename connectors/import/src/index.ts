export { fieldKindsOf, payloadOfCells, type FieldKind } from './cell-types';
export {
  checkpointPath,
  importCheckpointSchema,
  readCheckpoint,
  writeCheckpoint,
  type ImportCheckpoint,
} from './checkpoint';
export { progressLine, rowsPerSecond, type ImportProgress } from './progress';
export {
  IMPORT_FORMATS,
  UnreadableFileError,
  formatOfFileName,
  readRows,
  type ImportFormat,
  type ReadRow,
} from './read-rows';
export { RowOrder } from './row-order';
export { scanFile } from './scan';
export { eventsEndKey, outcomeOfReply, rejectionProblem, type EventsEnds, type RowOutcome } from './row-outcome';
export {
  fileIdOf,
  importCommandId,
  rowPlanner,
  type ImportTarget,
  type RowPlan,
  type RowPlanner,
  type RowProblem,
} from './row-plan';
export {
  countResults,
  isReported,
  noCounts,
  reportLine,
  runImport,
  type ImportCounts,
  type RowResult,
  type RunImportOptions,
} from './run-import';
