export {
  HISTORY_CONTEXTS,
  STATE_EVERY_VERSIONS,
  streamHistoryProjection,
  streamHistoryProjectionOf,
  type HistoryContext,
} from './projection';
export { readStreamEnds, readStreamHistory, type StreamHistoryQuery } from './history-view';
export { readStreamState, type StreamKey } from './stream-state-view';
