import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { contexts } from '@verity/domain';
import { parseEnv } from '@verity/service-kit';
import { gatewayEnvSchema } from './env';
import { buildGatewayOpenApi } from './openapi';
import { createGatewayService, publicContexts } from './service';

// The app the service really builds, captured as createHttpApp returns it (nothing connects).
let captured: Express | undefined;
jest.mock('@verity/service-kit', () => {
  const actual = jest.requireActual<typeof import('@verity/service-kit')>('@verity/service-kit');
  return {
    ...actual,
    createHttpApp: (...args: Parameters<typeof actual.createHttpApp>) => (captured = actual.createHttpApp(...args)),
  };
});

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };
interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** Validates against the OpenAPI 3.1 JSON Schema with @seriousme/openapi-schema-validator (an ES module: run in a child). */
function validateOpenApi(doc: unknown): { valid: boolean; version: string; errors?: unknown } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
const chunks = []; for await (const c of process.stdin) chunks.push(c);
const v = new Validator(); const r = await v.validate(JSON.parse(Buffer.concat(chunks).toString()));
console.log(JSON.stringify({ valid: r.valid, version: v.version, errors: r.errors }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: __dirname,
      input: JSON.stringify(doc),
    }).toString(),
  ) as { valid: boolean; version: string };
}

/** `/v1/commands/{commandId}` → a concrete path the router can match. */
const sample = (path: string): string => path.replace(/\{[^}]+\}/g, 'sample-1');

/** Every (method, documented path) and the first route of the app that would answer it. */
function routeTable(
  app: Express,
  doc: Doc,
): {
  routes: { method: string; path: string; layer: RouteLayer }[];
  operations: { method: string; path: string; answeredBy?: RouteLayer }[];
} {
  const stack = (app as unknown as { router: { stack: RouteLayer[] } }).router.stack;
  const routes = stack
    .filter((l) => l.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((method) => ({ method, path: layer.route!.path, layer })),
    );
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({
      method,
      path,
      answeredBy: routes.find((r) => r.method === method && r.layer.match(sample(path)))?.layer,
    })),
  );
  return { routes, operations };
}

describe('gateway OpenAPI document', () => {
  const doc = buildGatewayOpenApi(publicContexts(contexts)) as Doc;

  it('is valid OpenAPI 3.1', () => {
    const result = validateOpenApi(doc);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
    // The validator does say no.
    expect(validateOpenApi({ ...doc, paths: { '/x': { get: { responses: { '200': { content: {} } } } } } }).valid).toBe(
      false,
    );
  });

  it('has a path for every command type of the catalogue, with its payload schema converted from zod', () => {
    const commandTypes = publicContexts(contexts).flatMap((c) =>
      Object.keys(c.commands).map((name) => `${c.name}.${name}`),
    );
    expect(commandTypes.length).toBeGreaterThan(10);
    const documented = Object.keys(doc.paths)
      .filter((p) => p.startsWith('/v1/commands/') && p !== '/v1/commands/{commandId}')
      .map((p) => p.slice('/v1/commands/'.length));
    expect(documented.sort()).toEqual([...commandTypes].sort());
    // Access commands are sent through the admin API, which makes the key hashes itself.
    expect(contexts.some((c) => c.name === 'access')).toBe(true);
    expect(documented.filter((type) => type.startsWith('access.'))).toEqual([]);
    const receive = doc.paths['/v1/commands/inventory.ReceiveStock']!.post as {
      requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
    };
    expect(receive.requestBody.content['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['sku', 'location', 'quantity'],
      additionalProperties: false,
      properties: { quantity: { type: 'integer', exclusiveMinimum: 0 } },
    });
  });

  it('asks for a bearer token or an API key everywhere but the probes, and says what a refusal looks like', () => {
    const full = doc as Doc & { security: unknown; components: { securitySchemes: Record<string, unknown> } };
    expect(full.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(full.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    });
    for (const open of ['/health', '/ready', '/openapi.json'])
      expect(doc.paths[open]!.get).toMatchObject({ security: [] });
    const guarded = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/'));
    for (const [path, item] of guarded)
      for (const operation of Object.values(item) as { responses: Record<string, unknown> }[])
        expect([path, Object.keys(operation.responses)]).toEqual([path, expect.arrayContaining(['401', '403', '429'])]);
    const receive = doc.paths['/v1/commands/inventory.ReceiveStock']!.post as {
      responses: Record<string, { description: string }>;
    };
    expect(receive.responses['403']!.description).toContain('writer:inventory');
    const rule = doc.paths['/v1/commands/sources.SetAuthorityRule']!.post as typeof receive;
    expect(rule.responses['403']!.description).toContain('admin:sources');
  });

  it('matches the routes the service registers, both ways', () => {
    createGatewayService(parseEnv(gatewayEnvSchema, { VERITY_LOG_LEVEL: 'error' }), contexts);
    const { routes, operations } = routeTable(captured!, doc);
    // Every documented operation is answered by a route of the app...
    expect(operations.filter((o) => !o.answeredBy).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    // ...and every route answers at least one documented operation.
    const undocumented = routes
      .filter((r) => !operations.some((o) => o.method === r.method && o.answeredBy === r.layer))
      .map((r) => `${r.method} ${r.path}`);
    expect(undocumented).toEqual([]);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'post /v1/commands/:type',
        'get /v1/commands/:commandId',
        'get /openapi.json',
        'post /v1/admin/api-keys',
        'get /v1/admin/api-keys',
        'post /v1/admin/api-keys/:keyId/rotate',
        'post /v1/admin/api-keys/:keyId/revoke',
      ]),
    );
  });

  it('is what the service serves at GET /openapi.json', async () => {
    const server = captured!.listen(0);
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
