export { HISTORY_CONTEXTS, streamHistoryProjection, type HistoryContext } from './projection';
export { readStreamHistory, type StreamHistoryQuery } from './history-view';
