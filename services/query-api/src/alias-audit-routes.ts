import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { listResolutions, type ResolutionKey } from '@verity/projection-alias-resolutions';
import { requirePermission, tenantOf } from '@verity/service-kit';
import { aliasSchema, contextSchema } from './aliases-routes';
import {
  cursorParam,
  decodePairCursor,
  encodePairCursor,
  instantParam,
  pageSizeParam,
  parseQuery,
  requireSingleValues,
  validationFailed,
} from './request';
import type { TenantDb } from './tenant-db';

export const DEFAULT_RESOLUTIONS_PAGE = 100;
export const MAX_RESOLUTIONS_PAGE = 1000;

/** The title of every 400 of this route. */
const INVALID = 'Invalid query parameter';

/** The opaque cursor of a page of resolutions: the last [resolvedAt, id] it returned. */
export const encodeResolutionCursor = (key: ResolutionKey): string => encodePairCursor(key);

export const decodeResolutionCursor = (cursor: string): ResolutionKey | undefined =>
  decodePairCursor(cursor, ([resolvedAt]) => !Number.isNaN(Date.parse(resolvedAt)));

export const resolutionsQuerySchema = z.strictObject({
  alias: aliasSchema.optional(),
  context: contextSchema.optional(),
  from: instantParam.optional(),
  to: instantParam.optional(),
  limit: pageSizeParam(MAX_RESOLUTIONS_PAGE).optional(),
  cursor: cursorParam(decodeResolutionCursor).optional(),
});

export interface AliasAuditRoutesDeps {
  guard: RequestHandler;
  db: TenantDb;
  schema: string;
}

/**
 * `GET /api/aliases/audit/resolutions`: who resolved which alias of the credential's tenant,
 * what they got and when, oldest first, a page at a time, from the alias resolutions read model.
 * Who reads whose aliases is the registry's administrators' to see: it takes `admin:aliases`
 * (or `admin`), not a reader's grant. The log trails the resolves by the buffer's flush interval
 * and the projector's lag; there is no consistency token to wait for.
 */
export function mountAliasAuditRoutes(app: Express, deps: AliasAuditRoutesDeps): void {
  app.get('/api/aliases/audit/resolutions', deps.guard, requirePermission('admin', 'aliases'), async (req, res) => {
    const tenant = tenantOf(req);
    requireSingleValues(req.query, INVALID);
    const query = parseQuery(resolutionsQuerySchema, req.query, INVALID);
    if (query.from !== undefined && query.to !== undefined && query.to < query.from)
      throw validationFailed(INVALID, [{ path: 'to', message: 'before from' }]);
    const page = await deps.db.read(tenant, (db) =>
      listResolutions(db, deps.schema, {
        tenant,
        limit: query.limit ?? DEFAULT_RESOLUTIONS_PAGE,
        ...(query.alias === undefined ? {} : { alias: query.alias }),
        ...(query.context === undefined ? {} : { context: query.context }),
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
        ...(query.cursor === undefined ? {} : { after: query.cursor }),
      }),
    );
    res.json({ items: page.items, nextCursor: page.next ? encodeResolutionCursor(page.next) : null });
  });
}
