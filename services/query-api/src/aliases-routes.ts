import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express, Request } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import {
  aliasesRegistryProjection,
  countAliases,
  isExpired,
  listAliases,
  listConflicts,
} from '@verity/projection-aliases-registry';
import { HttpProblem, principalOf, tenantOf } from '@verity/service-kit';
import type { ReadModelDeps } from './inventory-routes';
import { readResolution } from './cached-reads';
import { awaitConsistency, skipsCache } from './consistency';
import { answerConditionally } from './conditional';
import {
  cursorParam,
  decodePairCursor,
  encodePairCursor,
  enumParam,
  pageSizeParam,
  parseParam,
  parseQuery,
  requireSingleValues,
} from './request';
import { requireOwnTenant, requireRead } from './read-access';
import type { ResolutionRecorder } from './resolution-log';

/** The contexts an alias lives in (mirrors the aliases commands). */
export const ALIAS_CONTEXTS = ['frontend', 'backend', 'system'] as const;
export const DEFAULT_ALIAS_PAGE = 50;
export const MAX_ALIAS_PAGE = 200;

export interface AliasRoutesDeps extends ReadModelDeps {
  /** The query-api's registry: the resolve latency histogram lands here. */
  metrics: Registry;
  /** Reads judge expiry against this clock. Default: the system clock. */
  now?: () => Date;
  /** Where every resolve's answer is recorded (the alias resolution log); none: nothing is recorded. */
  resolutions?: ResolutionRecorder;
}

export const contextSchema = enumParam(ALIAS_CONTEXTS);
export const aliasSchema = z.string().min(1).max(128);

/** The title of every 400 of these routes. */
const INVALID = 'Invalid request';

/** The opaque cursor of a page of aliases: the last [context, alias] it returned. */
export const encodeAliasCursor = encodePairCursor;

export const decodeAliasCursor = (cursor: string): [string, string] | undefined => decodePairCursor(cursor);

export const listQuerySchema = z.object({
  context: contextSchema.optional(),
  limit: pageSizeParam(MAX_ALIAS_PAGE).optional(),
  cursor: cursorParam(decodeAliasCursor).optional(),
});

export const conflictQuerySchema = z.object({
  status: enumParam(['open', 'accepted', 'rejected']).optional(),
  limit: pageSizeParam(MAX_ALIAS_PAGE).optional(),
});

/** Query parameters arrive as strings (or arrays when repeated): one value each, first issue named. */
function parseAliasQuery<T>(schema: z.ZodType<T>, query: Record<string, unknown>): T {
  requireSingleValues(query, INVALID);
  return parseQuery(schema, query, INVALID);
}

/**
 * Quantile q (0..1) of a prom-client histogram, interpolated linearly inside the bucket that
 * holds it (what PromQL's histogram_quantile does). 0 when nothing was observed.
 */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerLe;
      const inBucket = count - lowerCount;
      return inBucket === 0 ? le : lowerLe + ((le - lowerLe) * (rank - lowerCount)) / inBucket;
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}

async function latencyMs(histogram: Histogram<string>): Promise<{ p50: number; p99: number }> {
  const { values } = await histogram.get();
  // One series per cache outcome: add them up per bucket bound.
  const byLe = new Map<number, number>();
  for (const v of values) {
    if (!v.metricName?.endsWith('_bucket')) continue;
    const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + v.value);
  }
  const buckets = [...byLe].map(([le, count]) => ({ le, count }));
  const ms = (q: number): number => Math.round(histogramQuantile(q, buckets) * 1000 * 1000) / 1000;
  return { p50: ms(0.5), p99: ms(0.99) };
}

function serviceVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/**
 * The alias registry's read side: `/api/aliases/...` (resolve, health, metrics, status) and the
 * listings under `/v1/aliases`. Resolutions come from Redis, else PostgreSQL (then refill). With
 * `X-Consistency-Token` the resolve and the listings wait for the read model; the resolve then
 * reads PostgreSQL.
 * `deps.eventsTopic` is the aliases events topic.
 */
export function mountAliasRoutes(app: Express, deps: AliasRoutesDeps): void {
  const now = deps.now ?? (() => new Date());
  const version = serviceVersion();
  const resolveSeconds =
    (deps.metrics.getSingleMetric('verity_alias_resolve_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'verity_alias_resolve_seconds',
      help: 'Time to answer GET /api/aliases/resolve after any consistency wait, by cache outcome',
      labelNames: ['cache'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [deps.metrics],
    });

  async function health(): Promise<'ok' | 'degraded' | 'down'> {
    try {
      await deps.db.ping();
    } catch {
      return 'down';
    }
    return deps.redis.status === 'ready' ? 'ok' : 'degraded';
  }

  // Every alias context's data: `reader:aliases` (or a reader of every context).
  const access = [deps.guard, requireRead('aliases')];
  // A read of the one alias context a request names also takes its reader (`reader:frontend`).
  const contextAccess = (contextOf: (req: Request) => unknown) => [deps.guard, requireRead('aliases', contextOf)];

  app.get('/api/aliases/resolve/:context/:alias', ...contextAccess((req) => req.params.context), async (req, res) => {
    const tenant = tenantOf(req);
    const context = parseParam(contextSchema, req.params.context, 'context', INVALID);
    const alias = parseParam(aliasSchema, req.params.alias, 'alias', INVALID);
    const wait = await awaitConsistency(req, res, deps, aliasesRegistryProjection.name);
    // Timed after the wait: the histogram measures the cache and PostgreSQL, not how far the projector lags.
    const started = process.hrtime.bigint();
    const at = now();
    const { value, cache } = await readResolution(deps, tenant, context, alias, at, skipsCache(wait));
    resolveSeconds.observe({ cache }, Number(process.hrtime.bigint() - started) / 1e9);
    res.set('X-Cache', cache);
    const canonical = value && !isExpired(value.expiresAt, at) ? value.canonical : null;
    const { subject, kind } = principalOf(req);
    deps.resolutions?.record(
      { tenant, actor: subject, credentialKind: kind, context, alias, canonical, consistencyToken: wait !== undefined },
      at,
    );
    if (canonical === null) {
      throw new HttpProblem(404, 'not_found', 'Unknown alias', `no active alias ${alias} in ${context}`, {
        context,
        alias,
      });
    }
    res.json({ canonical_name: canonical });
  });

  // Health says nothing of any tenant: a credential is enough.
  app.get('/api/aliases/health', deps.guard, requireOwnTenant, async (_req, res) => {
    const status = await health();
    res.status(status === 'down' ? 503 : 200).json({ status });
  });

  app.get('/api/aliases/status', deps.guard, requireOwnTenant, async (_req, res) => {
    res.json({ service: 'verity-aliases', version, health: await health() });
  });

  app.get('/api/aliases/metrics', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const counts = await deps.db.read(tenant, (db) => countAliases(db, deps.schema, tenant, now()));
    res.json({ ...counts, resolveLatencyMs: await latencyMs(resolveSeconds) });
  });

  app.get('/v1/aliases', ...contextAccess((req) => req.query.context), async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseAliasQuery(listQuerySchema, req.query);
    await awaitConsistency(req, res, deps, aliasesRegistryProjection.name);
    const page = await deps.db.read(tenant, (db) =>
      listAliases(
        db,
        deps.schema,
        tenant,
        {
          limit: query.limit ?? DEFAULT_ALIAS_PAGE,
          ...(query.context ? { context: query.context } : {}),
          ...(query.cursor ? { after: query.cursor } : {}),
        },
        now(),
      ),
    );
    answerConditionally(req, res, { items: page.items, nextCursor: page.next ? encodeAliasCursor(page.next) : null });
  });

  app.get('/v1/aliases/conflicts', ...access, async (req, res) => {
    const tenant = tenantOf(req);
    const query = parseAliasQuery(conflictQuerySchema, req.query);
    await awaitConsistency(req, res, deps, aliasesRegistryProjection.name);
    answerConditionally(req, res, {
      items: await deps.db.read(tenant, (db) =>
        listConflicts(db, deps.schema, tenant, query.status, query.limit ?? MAX_ALIAS_PAGE),
      ),
    });
  });
}
