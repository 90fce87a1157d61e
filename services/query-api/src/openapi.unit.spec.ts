import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { contexts } from '@verity/domain';
import { buildAsyncApi, SchemaCatalog } from '@verity/events';
import { parseEnv } from '@verity/service-kit';
import { queryApiEnvSchema } from './env';
import { buildQueryApiOpenApi } from './openapi';
import { createQueryApiService } from './service';

// The app the service really builds, captured as createHttpApp returns it (nothing connects).
let captured: Express | undefined;
jest.mock('@verity/service-kit', () => {
  const actual = jest.requireActual<typeof import('@verity/service-kit')>('@verity/service-kit');
  return {
    ...actual,
    createHttpApp: (...args: Parameters<typeof actual.createHttpApp>) => (captured = actual.createHttpApp(...args)),
  };
});

type Operation = { parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[] };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };
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

const sample = (path: string): string => path.replace(/\{[^}]+\}/g, 'sample-1');

describe('query-api OpenAPI document', () => {
  const doc = buildQueryApiOpenApi() as Doc;

  it('is valid OpenAPI 3.1', () => {
    const result = validateOpenApi(doc);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  it('matches the routes the service registers, both ways, each path parameter documented', () => {
    createQueryApiService(parseEnv(queryApiEnvSchema, { VERITY_LOG_LEVEL: 'error' }));
    const stack = (captured as unknown as { router: { stack: RouteLayer[] } }).router.stack;
    const routes = stack
      .filter((l) => l.route)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map((method) => ({ method, path: layer.route!.path, layer })),
      );
    // Handlers mounted on a path with app.use (GraphQL at /graphql): unlike logging or the 404, they do not match any path.
    const mounts = stack.filter((l) => !l.route && !l.match('/no-such-route-anywhere'));
    // The first route the app would run for each documented operation, as express matches them in order.
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({
        method,
        path,
        answeredBy: routes.find((r) => r.method === method && r.layer.match(sample(path))),
        mountedAt: mounts.find((m) => m.match(sample(path))),
      })),
    );
    expect(operations.filter((o) => !o.answeredBy && !o.mountedAt).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    expect(mounts.filter((m) => !operations.some((o) => o.mountedAt === m)).length).toBe(0);
    // Each documented path is the very route that answers it, written {name} for :name.
    const routed = operations.filter((o) => o.answeredBy);
    expect(
      routed
        .filter((o) => o.answeredBy!.path.replace(/:(\w+)/g, '{$1}') !== o.path)
        .map((o) => `${o.path} answered by ${o.answeredBy!.path}`),
    ).toEqual([]);
    const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
    expect(
      routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).filter((r) => !documented.has(r)),
    ).toEqual([]);
    for (const { method, path } of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = (doc.paths[path]![method]!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect({ path, params }).toEqual({ path, params: inPath });
    }
  });

  it('says what credential every operation needs, and documents the 401, 403 and 429 of the guarded ones', () => {
    const full = buildQueryApiOpenApi() as Doc & {
      components: { securitySchemes: Record<string, { type: string; scheme?: string; name?: string }> };
    };
    expect(full.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', name: 'X-Api-Key' },
    });
    const open = ['/health', '/ready', '/openapi.json', '/asyncapi.json'];
    for (const [path, item] of Object.entries(full.paths))
      for (const [method, op] of Object.entries(item) as [string, { security?: unknown[]; responses: object }][]) {
        const guarded = !open.includes(path);
        expect({ path, method, security: op.security }).toEqual({
          path,
          method,
          security: guarded ? expect.arrayContaining([{ bearer: [] }, { apiKey: [] }]) : [],
        });
        if (guarded)
          expect({ path, responses: Object.keys(op.responses) }).toEqual({
            path,
            responses: expect.arrayContaining(['401', '403', '429']),
          });
      }
  });

  it("takes query parameters from the routes' zod schemas", () => {
    const params = (path: string) =>
      Object.fromEntries(
        (doc.paths[path]!.get!.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]),
      );
    expect(params('/v1/inventory/low-stock')).toMatchObject({
      threshold: { required: true, schema: { type: 'string', pattern: '^\\d+$' } },
      limit: { required: false },
      cursor: { required: false },
    });
    expect(params('/v1/catalog/products')).toMatchObject({
      status: { schema: { enum: ['active', 'discontinued'] } },
      limit: {},
      cursor: {},
    });
    expect(Object.keys(params('/v1/aliases')).sort()).toEqual(['context', 'cursor', 'limit']);
    expect(params('/v1/aliases/conflicts')).toMatchObject({
      status: { schema: { enum: ['open', 'accepted', 'rejected'] } },
    });
    expect(Object.keys(params('/v1/conflicts')).sort()).toEqual([
      'context',
      'cursor',
      'field',
      'limit',
      'sku',
      'status',
    ]);
    expect(params('/v1/conflicts')).toMatchObject({
      status: { schema: { enum: ['open', 'resolved'] } },
      context: { schema: { enum: ['catalog', 'inventory'] } },
    });
    expect(params('/v1/sources/authority-rules')).toEqual({});
    expect(params('/v1/streams/{context}/{streamId}/events')).toMatchObject({
      fromVersion: { required: false, schema: { type: 'string', pattern: '^\\d+$' } },
      limit: { required: false },
    });
    expect(Object.keys(params('/v1/streams/{context}/{streamId}')).sort()).toEqual(['at', 'version']);
    const context = doc.paths['/v1/streams/{context}/{streamId}']!.get!.parameters!.find((p) => p.name === 'context');
    expect(context?.schema).toMatchObject({ enum: ['inventory', 'catalog', 'pricing', 'sources', 'aliases'] });
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

  it("serves at GET /asyncapi.json, with no credential, the AsyncAPI document of this deployment's topics", async () => {
    const env = parseEnv(queryApiEnvSchema, {
      VERITY_LOG_LEVEL: 'error',
      VERITY_TOPIC_PREFIX: 'acme-prod',
      VERITY_PARTITIONS: '12',
      VERITY_KAFKA_BROKERS: 'k1:9092,k2:9092',
      VERITY_SCHEMA_REGISTRY_URL: 'http://registry:8081/apis/ccompat/v7',
    });
    createQueryApiService(env);
    const server = captured!.listen(0);
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/asyncapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const expected = buildAsyncApi({
        catalog: SchemaCatalog.load(),
        contexts,
        prefix: 'acme-prod',
        partitions: 12,
        brokers: ['k1:9092', 'k2:9092'],
        schemaRegistryUrl: 'http://registry:8081/apis/ccompat/v7',
      });
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(Object.keys(expected.channels as object).length).toBe(contexts.length);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
