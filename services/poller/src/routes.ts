import { parseInterval, polledSourceSchema, pollerSettingsSchema, type PollerSettings } from '@verity/connector-poller';
import { sealText, type SecretsKey } from '@verity/core';
import { HttpProblem, requirePermission, tenantOf } from '@verity/service-kit';
import type { Express, Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { DriftResult } from './drift-check';
import type { PollerStore, StoredSource } from './store';

const MAX_BODY = 64 * 1024;

/** The JSON body of a request, read here: the poller has one JSON route and no body parser. */
async function jsonBody(req: Request): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpProblem(413, 'body_too_large', 'Body too large', `at most ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'invalid_json', 'Invalid JSON', 'the body is not JSON');
  }
}

type Issue = { path: string; message: string };

const issuesOf = (error: z.ZodError): Issue[] =>
  error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));

/**
 * The settings of a body, every field it gets wrong named at once. `interval` may be written as
 * people do (`5m`, `30s`); `intervalMs` is taken as is.
 */
function parseSettings(body: unknown): PollerSettings {
  const issues: Issue[] = [];
  let input = body;
  if (body !== null && typeof body === 'object' && 'interval' in body) {
    const { interval, ...rest } = body as Record<string, unknown>;
    try {
      input = { ...rest, intervalMs: parseInterval(String(interval)) };
    } catch (error) {
      issues.push({ path: 'interval', message: (error as Error).message });
      // A valid stand-in, so the other fields are still checked.
      input = { ...rest, intervalMs: 60_000 };
    }
  }
  const parsed = pollerSettingsSchema.safeParse(input);
  if (!parsed.success) issues.push(...issuesOf(parsed.error));
  if (issues.length > 0 || !parsed.success)
    throw new HttpProblem(
      400,
      'invalid_poller_settings',
      'Invalid poller settings',
      issues.map((f) => `${f.path}: ${f.message}`).join('; '),
      { fields: issues },
    );
  return parsed.data;
}

function sourceParam(req: Request): string {
  const parsed = polledSourceSchema.safeParse(req.params.source);
  if (!parsed.success)
    throw new HttpProblem(
      404,
      'unknown_source',
      'Unknown source',
      `no source system ${JSON.stringify(req.params.source)}; one of ${polledSourceSchema.options.join(', ')}`,
    );
  return parsed.data;
}

/** A configuration as the API shows it: the credential's type, never the credential. */
export const viewOf = (s: StoredSource) => ({
  tenant: s.tenant,
  source: s.source,
  url: s.url,
  intervalMs: s.intervalMs,
  pageSize: s.pageSize,
  kinds: s.kinds,
  credential: s.credential ? { type: s.credential.type } : null,
  updatedAt: s.updatedAt,
});

export interface PollerRoutesOptions {
  guard: RequestHandler;
  store: PollerStore;
  secretsKey: SecretsKey;
  drift(tenant: string, source: StoredSource): Promise<DriftResult>;
  now: () => Date;
}

/**
 * The configuration of a tenant's pollers, for the tenant's admins: `GET /v1/pollers`,
 * `PUT|DELETE /v1/pollers/<source>`, and `GET /v1/pollers/<source>/drift` (the full comparison).
 */
export function mountPollerRoutes(app: Express, options: PollerRoutesOptions): void {
  const { store } = options;
  const guard = [options.guard, requirePermission('admin', 'sources')];

  app.get('/v1/pollers', ...guard, async (req, res) => {
    res.json({ pollers: (await store.sources(tenantOf(req))).map(viewOf) });
  });

  app.put('/v1/pollers/:source', ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const source = sourceParam(req);
    const { credential, ...settings } = parseSettings(await jsonBody(req));
    const sealed = credential
      ? { type: credential.type, ...sealText(options.secretsKey, JSON.stringify(credential), `${tenant}/${source}`) }
      : null;
    const existed = (await store.source(tenant, source)) !== undefined;
    const saved = await store.saveSource(tenant, source, settings, sealed, options.now());
    res.status(existed ? 200 : 201).json(viewOf(saved));
  });

  app.delete('/v1/pollers/:source', ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const source = sourceParam(req);
    if (!(await store.removeSource(tenant, source)))
      throw new HttpProblem(404, 'poller_not_found', 'Poller not found', `no poller for ${source} in tenant ${tenant}`);
    res.status(204).end();
  });

  app.get('/v1/pollers/:source/drift', ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const source = sourceParam(req);
    const stored = await store.source(tenant, source);
    if (!stored)
      throw new HttpProblem(404, 'poller_not_found', 'Poller not found', `no poller for ${source} in tenant ${tenant}`);
    res.json(await options.drift(tenant, stored));
  });
}
