export {
  ALIAS_RESOLUTION_FULL_NAME,
  ALIAS_RESOLUTION_SCHEMA,
  aliasResolutionCodec,
  type AliasResolution,
  type AliasResolutionCodec,
} from './resolution-record';
export { ALIAS_RESOLUTIONS_TABLE } from './migrations';
export { listResolutions, type ResolutionKey, type ResolutionQuery, type ResolutionRow } from './resolutions-view';
export { pruneResolutions } from './retention';
export {
  ALIAS_RESOLUTIONS,
  aliasResolutionsReadModel,
  createResolutionsProjector,
  type ResolutionsProjectorOptions,
} from './resolutions-projector';
