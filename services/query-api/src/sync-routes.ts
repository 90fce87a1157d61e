import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { readSyncStatus } from '@verity/projection-sync-status';
import { tenantOf } from '@verity/service-kit';
import { requireRead } from './read-access';
import { parseQuery } from './request';
import type { TenantDb } from './tenant-db';

/** The status takes no parameters: any is a 400 naming it. */
export const syncStatusQuerySchema = z.strictObject({});

export interface SyncRoutesDeps {
  guard: RequestHandler;
  db: TenantDb;
  schema: string;
}

/**
 * `GET /v1/sync/status`: per source system of the credential's tenant, what was applied,
 * conflicted, rejected and dead-lettered, and how fresh the newest change is. Read as it is
 * now: there is no consistency token to wait for.
 */
export function mountSyncRoutes(app: Express, deps: SyncRoutesDeps): void {
  app.get('/v1/sync/status', deps.guard, requireRead('sync'), async (req, res) => {
    const tenant = tenantOf(req);
    parseQuery(syncStatusQuerySchema, req.query);
    const sources = await deps.db.read(tenant, (db) => readSyncStatus(db, deps.schema, tenant));
    res.json({ tenant, sources });
  });
}
