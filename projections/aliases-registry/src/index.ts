export { aliasesRegistryProjection, type AliasChange } from './projection';
export {
  countAliases,
  isExpired,
  listAliases,
  listConflicts,
  readAlias,
  type AliasView,
  type ConflictView,
} from './alias-view';
export {
  aliasChangesChannel,
  aliasResolveKey,
  cacheResolution,
  forgetResolution,
  readCachedResolution,
  type CachedResolution,
} from './alias-cache';
