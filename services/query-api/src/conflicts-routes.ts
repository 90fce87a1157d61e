import { createHash } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { conflictIdSchema, GOVERNED_FIELDS } from '@verity/command-processor';
import { CONFLICT_STATUSES, decodeConflictCursor, listAuthorityRules, listConflicts, sourceConflictsProjection } from '@verity/projection-source-conflicts';
import { HttpProblem } from '@verity/service-kit';
import { awaitConsistency } from './consistency';
import { intParam, parseQuery, skuSchema, tenantOf, type ReadModelDeps } from './inventory-routes';
import { readConflict } from './cached-reads';

/** The contexts whose fields authority rules govern, hence where conflicts are detected: `catalog`, `inventory`. */
export const CONFLICT_CONTEXTS = [...new Set(GOVERNED_FIELDS.map((field) => field.split('.')[0]!))] as [string, ...string[]];
const DEFAULT_LIMIT = 50;
export const MAX_CONFLICT_PAGE = 200;

const oneOf = (values: readonly string[]) => ({ message: `one of ${values.join(', ')}` });

export const conflictListQuerySchema = z.strictObject({
  status: z.enum(CONFLICT_STATUSES, oneOf(CONFLICT_STATUSES)).optional(),
  context: z.enum(CONFLICT_CONTEXTS, oneOf(CONFLICT_CONTEXTS)).optional(),
  sku: skuSchema.optional(),
  field: z.enum(GOVERNED_FIELDS, oneOf(GOVERNED_FIELDS)).optional(),
  limit: intParam(1, MAX_CONFLICT_PAGE).optional(),
  cursor: z
    .string()
    .transform((value, ctx) => {
      const key = decodeConflictCursor(value);
      if (!key) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this list returned' });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
});

/** The authority rules take no parameters: any is a 400 naming it. */
export const authorityRulesQuerySchema = z.strictObject({});

/** A list's ETag: a digest of the body it answers, so an unchanged list is a 304 whatever changed elsewhere. */
function answerList(req: Request, res: Response, body: unknown): void {
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  res.set('ETag', etag);
  if (req.get('If-None-Match') === etag) {
    res.status(304).end();
    return;
  }
  res.json(body);
}

/**
 * Conflicts between source systems and the authority rules that decide them, from the
 * source-conflicts read model. `deps.eventsTopic` holds the catalog's, inventory's and
 * sources' events topics: a consistency token from any of their commands is honoured.
 */
export function mountConflictRoutes(app: Express, deps: ReadModelDeps): void {
  app.get('/v1/conflicts', async (req, res) => {
    const tenant = tenantOf(req);
    const { limit, cursor, ...filters } = parseQuery(conflictListQuerySchema, req);
    await awaitConsistency(req, res, deps, sourceConflictsProjection.name);
    const page = await listConflicts(deps.db, deps.schema, tenant, { limit: limit ?? DEFAULT_LIMIT, ...(cursor ? { after: cursor } : {}), ...filters });
    answerList(req, res, page);
  });

  app.get('/v1/conflicts/:conflictId', async (req, res) => {
    const tenant = tenantOf(req);
    const conflictId = conflictIdSchema.safeParse(req.params.conflictId);
    if (!conflictId.success) {
      const message = conflictId.error.issues[0]?.message;
      throw new HttpProblem(400, 'validation_failed', 'Invalid conflict id', `conflictId: ${message}`, { errors: [{ path: 'conflictId', message }] });
    }
    const freshness = await awaitConsistency(req, res, deps, sourceConflictsProjection.name);
    const { value: view, cache } = await readConflict(deps, tenant, conflictId.data, freshness !== undefined);
    res.set('X-Cache', cache);
    if (!view) throw new HttpProblem(404, 'not_found', 'Unknown conflict', `no conflict ${conflictId.data}`, { conflictId: conflictId.data });
    const etag = `"${view.version}"`;
    res.set('ETag', etag);
    if (req.get('If-None-Match') === etag) {
      res.status(304).end();
      return;
    }
    res.json(view);
  });

  app.get('/v1/sources/authority-rules', async (req, res) => {
    const tenant = tenantOf(req);
    parseQuery(authorityRulesQuerySchema, req);
    await awaitConsistency(req, res, deps, sourceConflictsProjection.name);
    answerList(req, res, { items: await listAuthorityRules(deps.db, deps.schema, tenant) });
  });
}
