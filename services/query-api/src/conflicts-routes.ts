import type { Express } from 'express';
import { z } from 'zod';
import { conflictIdSchema } from '@verity/domain';
import { listAuthorityRules, sourceConflictsProjection } from '@verity/projection-source-conflicts';
import { HttpProblem, tenantOf } from '@verity/service-kit';
import { awaitConsistency, skipsCache } from './consistency';
import type { ReadModelDeps } from './inventory-routes';
import { readConflict } from './cached-reads';
import { conflictFilterSchemas, MAX_CONFLICT_PAGE, readConflictPage } from './source-conflicts';
import { answerConditionally, versionETag } from './conditional';
import { requireRead } from './read-access';
import { intParam, parseParam, parseQuery } from './request';

const { status, context, sku, field, cursor } = conflictFilterSchemas;
export const conflictListQuerySchema = z.strictObject({
  status: status.optional(),
  context: context.optional(),
  sku: sku.optional(),
  field: field.optional(),
  limit: intParam(1, MAX_CONFLICT_PAGE).optional(),
  cursor: cursor.optional(),
});

/** The authority rules take no parameters: any is a 400 naming it. */
export const authorityRulesQuerySchema = z.strictObject({});

/**
 * Conflicts between source systems and the authority rules that decide them, from the
 * source-conflicts read model. `deps.eventsTopic` holds the catalog's, inventory's and
 * sources' events topics: a consistency token from any of their commands is honoured.
 */
export function mountConflictRoutes(app: Express, deps: ReadModelDeps): void {
  const access = [deps.guard, requireRead('sources')];
  app.get('/v1/conflicts', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseQuery(conflictListQuerySchema, req.query);
    await awaitConsistency(req, res, deps, sourceConflictsProjection.name);
    answerConditionally(req, res, await readConflictPage(deps, tenant, query));
  });

  app.get('/v1/conflicts/:conflictId', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const conflictId = parseParam(conflictIdSchema, req.params.conflictId, 'conflictId', 'Invalid conflict id');
    const wait = await awaitConsistency(req, res, deps, sourceConflictsProjection.name);
    const { value: view, cache } = await readConflict(deps, tenant, conflictId, skipsCache(wait));
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown conflict', `no conflict ${conflictId}`, { conflictId });
    answerConditionally(req, res, view, versionETag(view.version));
  });

  app.get('/v1/sources/authority-rules', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    parseQuery(authorityRulesQuerySchema, req.query);
    await awaitConsistency(req, res, deps, sourceConflictsProjection.name);
    answerConditionally(req, res, {
      items: await deps.db.read(tenant, (db) => listAuthorityRules(db, deps.schema, tenant)),
    });
  });
}
