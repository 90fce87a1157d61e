export { sourceConflictsProjection, type ConflictChange } from './projection';
export {
  CONFLICT_STATUSES,
  decodeConflictCursor,
  encodeConflictCursor,
  listAuthorityRules,
  listConflicts,
  readConflict,
  type AuthorityRuleView,
  type ConflictCursor,
  type ConflictPageQuery,
  type ConflictSide,
  type ConflictStatus,
  type SourceConflictView,
} from './conflict-view';
export { cacheConflictView, changesChannel, conflictCacheKey, readCachedConflictView } from './conflict-cache';
