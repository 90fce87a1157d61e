import type { Express, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { parseStreamId, streamIdOf, tenantIdSchema, type ContextDefinition } from '@verity/core';
import { contexts } from '@verity/domain';
import type { HistoryRow, StatePoint } from '@verity/events';
import {
  HISTORY_CONTEXTS,
  readStreamEnds,
  readStreamHistory,
  readStreamState,
  streamHistoryProjection,
  type StreamHistoryQuery,
} from '@verity/projection-stream-history';
import { HttpProblem, principalOf, tenantOf } from '@verity/service-kit';
import { awaitConsistency, type CheckpointStore } from './consistency';
import { insufficientPermission, missingReadGrant, type ReadContext } from './read-access';
import { enumParam, instantParam, intParam, pageSizeParam, parseParam, parseQuery, validationFailed } from './request';

/** The contexts whose streams may be read here, by a reader of the context. */
export const STREAM_CONTEXTS = HISTORY_CONTEXTS satisfies readonly ReadContext[];

const definitions = new Map<string, ContextDefinition>(
  STREAM_CONTEXTS.map((name) => {
    const definition = contexts.find((c) => c.name === name);
    if (!definition) throw new Error(`no context definition named ${name}`);
    return [name, definition];
  }),
);

/** The largest stream version a query may name: beyond any stream, within a safe integer. */
const MAX_VERSION = 2_147_483_647;
/** History page size: default 100, at most 1000. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export const streamContextSchema = enumParam(STREAM_CONTEXTS);
/** `<tenant>/<aggregate id>` (the slash percent-encoded) or the aggregate id alone; no control characters. */
export const streamIdParamSchema = z
  .string()
  .min(1)
  .max(320)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');
export const historyQuerySchema = z.strictObject({
  fromVersion: intParam(1, MAX_VERSION).optional(),
  limit: pageSizeParam(MAX_LIMIT).optional(),
});
export const stateQuerySchema = z.strictObject({
  version: intParam(1, MAX_VERSION).optional(),
  at: instantParam.optional(),
});

export interface StreamRoutesDeps extends CheckpointStore {
  guard: RequestHandler;
  /** The events topics of the served contexts: what a consistency token may name. */
  eventsTopic: readonly string[];
}

const streamNotFound = (streamId: string): HttpProblem =>
  new HttpProblem(404, 'not_found', 'Unknown stream', `no events of stream ${streamId}`, { streamId });

interface StreamRequest {
  context: ContextDefinition;
  tenant: string;
  streamId: string;
}

/**
 * The context (400 when unknown), the reader grant for it (403 naming it), and the stream id
 * in the credential's tenant. A stream id naming another tenant is answered as unknown (404):
 * whether another tenant has such a stream is not this caller's to learn.
 */
function streamRequest(req: Request): StreamRequest {
  const name = parseParam(streamContextSchema, req.params.context, 'context', 'Invalid context');
  const missing = missingReadGrant(principalOf(req), name);
  if (missing) throw insufficientPermission(missing);
  const tenant = tenantOf(req);
  const given = parseParam(streamIdParamSchema, req.params.streamId, 'streamId', 'Invalid stream id');
  const qualified = parseStreamId(given);
  if (given.includes('/') && !qualified)
    throw validationFailed('Invalid stream id', [{ path: 'streamId', message: 'not <tenant>/<aggregate id>' }]);
  if (qualified && !tenantIdSchema.safeParse(qualified.tenant).success)
    throw validationFailed('Invalid stream id', [{ path: 'streamId', message: 'the tenant is not a tenant id' }]);
  if (qualified && qualified.tenant !== tenant) throw streamNotFound(given);
  return { context: definitions.get(name)!, tenant, streamId: qualified ? given : streamIdOf(tenant, given) };
}

/**
 * `GET /v1/streams/{context}/{streamId}/events` (a stream's history, paged) and
 * `GET /v1/streams/{context}/{streamId}` (its state at a version, an instant, or now), read
 * from the stream-history read model: every event as the log holds it, hash chain included, by
 * stream and version, so a page costs its own rows whatever the size of the partition, and a
 * state folds from the nearest state the read model kept, at most one interval of events. Both
 * honour `X-Consistency-Token`.
 */
export function mountStreamRoutes(app: Express, deps: StreamRoutesDeps): void {
  /** The stream's events from a version on; 404 when the stream has none at all. */
  const history = async (
    req: Request,
    res: Response,
    { context, tenant, streamId }: StreamRequest,
    page: Pick<StreamHistoryQuery, 'fromVersion' | 'limit'>,
  ): Promise<HistoryRow[]> => {
    await awaitConsistency(req, res, deps, streamHistoryProjection.name);
    const query = { tenant, context: context.name, streamId, ...page };
    const rows = await deps.db.read(tenant, async (db) => {
      const found = await readStreamHistory(db, deps.schema, query);
      if (found.length > 0) return found;
      // None from this version on: an empty page of a known stream, or an unknown stream.
      const known =
        (page.fromVersion ?? 1) > 1 &&
        (await readStreamHistory(db, deps.schema, { ...query, fromVersion: 1, limit: 1 })).length > 0;
      return known ? found : undefined;
    });
    if (!rows) throw streamNotFound(streamId);
    return rows;
  };

  app.get('/v1/streams/:context/:streamId/events', deps.guard, async (req, res) => {
    const stream = streamRequest(req);
    const query = parseQuery(historyQuerySchema, req.query);
    const fromVersion = query.fromVersion ?? 1;
    const limit = query.limit ?? DEFAULT_LIMIT;
    // One row past the page says whether another follows.
    const rows = await history(req, res, stream, { fromVersion, limit: limit + 1 });
    const events = rows.slice(0, limit);
    const more = rows.length > limit;
    const next = more
      ? `/v1/streams/${stream.context.name}/${encodeURIComponent(req.params.streamId as string)}/events?fromVersion=${events[events.length - 1]!.version + 1}&limit=${limit}`
      : undefined;
    res.json({ context: stream.context.name, streamId: stream.streamId, events, ...(next ? { next } : {}) });
  });

  app.get('/v1/streams/:context/:streamId', deps.guard, async (req, res) => {
    const stream = streamRequest(req);
    const query = parseQuery(stateQuerySchema, req.query);
    if (query.version !== undefined && query.at !== undefined)
      throw validationFailed('Invalid query parameter', [
        { path: 'version, at', message: 'give one of them, not both' },
      ]);
    const point: StatePoint =
      query.version !== undefined
        ? { version: query.version }
        : query.at !== undefined
          ? { at: query.at }
          : { latest: true };
    await awaitConsistency(req, res, deps, streamHistoryProjection.name);
    const { context, tenant, streamId } = stream;
    const key = { tenant, context: context.name, streamId };
    const found = await deps.db.read(tenant, async (db) => {
      const folded = await readStreamState(db, deps.schema, key, context.decider, point);
      return folded ? { folded } : { ends: await readStreamEnds(db, deps.schema, key) };
    });
    if (!('folded' in found)) {
      if (!found.ends) throw streamNotFound(streamId);
      const detail =
        'version' in point
          ? `stream ${streamId} is at version ${found.ends.lastVersion}, not yet ${point.version}`
          : `stream ${streamId} had no event at or before ${query.at}; its first is at ${found.ends.firstTime}`;
      throw new HttpProblem(404, 'not_found', 'No such state', detail, {
        streamId,
        lastVersion: found.ends.lastVersion,
      });
    }
    const { folded } = found;
    res.json({ context: stream.context.name, streamId: stream.streamId, ...folded });
  });
}
