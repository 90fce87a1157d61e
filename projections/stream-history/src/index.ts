export {
  HISTORY_CONTEXTS,
  STATE_EVERY_VERSIONS,
  streamHistoryProjection,
  streamHistoryProjectionOf,
  type HistoryContext,
} from './projection';
export { readStreamEnds, readStreamHistory, type StreamHistoryQuery, type StreamKey } from './history-view';
export { readStreamState } from './stream-state-view';
