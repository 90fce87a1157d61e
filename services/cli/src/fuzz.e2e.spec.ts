import {
  Rng,
  encodeJunk,
  junkBody,
  junkCredential,
  junkHeaders,
  junkQuery,
  junkSegment,
  junkText,
  pool,
  sendRaw,
} from './testing/fuzz';
import { mintToken } from './sandbox-credentials';
import { isResolutionLogTopic, rowsBesidesResolutionLog } from './testing/query-access';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

/**
 * Malformed requests to every route group of the real stack, each with a valid credential so
 * that it reaches the route, and well-formed requests with garbage credentials: none may answer
 * 5xx or write anything (no topic grows, no read-model row appears). VERITY_FUZZ_SEED repeats a
 * run; VERITY_FUZZ_REQUESTS sets the requests per group (default 500).
 */
const SEED = Number(process.env.VERITY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const PER_GROUP = Number(process.env.VERITY_FUZZ_REQUESTS ?? 500);
const CONCURRENCY = 16;

interface FuzzRequest {
  method: string;
  target: string;
  headers: string[];
  body?: Buffer;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean;
}

type Generator = (rng: Rng) => FuzzRequest;

const COMMANDS: Record<string, unknown> = {
  'inventory.ReceiveStock': { sku: 'SKU-1', location: 'berlin', quantity: 5 },
  'catalog.RegisterProduct': { sku: 'SKU-9', name: 'Bolt', unit: 'ea' },
  'aliases.RegisterAlias': { alias: 'orders', context: 'backend', canonical: 'order-service' },
  'pricing.CreatePriceList': { priceListId: 'PL-1', name: 'Retail', currency: 'EUR' },
};

const METHODS = [
  'GET',
  'GET',
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'G\u0000T',
  'CONNECT',
];

/** A read route with a malformed part: segment, query, headers or method (a body now and then). */
function read(paths: ((rng: Rng) => string)[]): Generator {
  return (rng) => {
    const path = rng.pick(paths)(rng);
    const parts = rng.int(4);
    const request: FuzzRequest = {
      method: rng.chance(0.15) ? rng.pick(METHODS) : 'GET',
      target: parts === 1 || rng.chance(0.3) ? `${path}${junkQuery(rng)}` : path,
      headers: parts === 2 || rng.chance(0.3) ? junkHeaders(rng) : [],
    };
    if (parts === 3) {
      const { headers, body } = junkBody(rng);
      return { ...request, headers: [...request.headers, ...headers], body };
    }
    return request;
  };
}

const seg = (prefix: string) => (rng: Rng) => `${prefix}${junkSegment(rng)}`;
const fixed = (path: string) => () => path;

/** A command that cannot be appended: a broken body, or a valid body with a malformed header. */
const command: Generator = (rng) => {
  const type = rng.chance(0.8) ? rng.pick(Object.keys(COMMANDS)) : junkSegment(rng);
  // Own keys only: a junk type such as `constructor` is no command.
  const valid = Object.hasOwn(COMMANDS, type) ? COMMANDS[type] : undefined;
  const target = `/v1/commands/${type}${rng.chance(0.15) ? junkQuery(rng) : ''}`;
  if (valid !== undefined && rng.chance(0.25)) {
    // Nothing else wrong: the header alone must stop it before Kafka.
    const bad = rng.pick([
      'X-Tenant-Id: Not A Tenant',
      `X-Tenant-Id: ${'t'.repeat(64)}`,
      `Idempotency-Key: ${junkText(rng, 5).replace(/[A-Za-z0-9._:-]/g, '')}!`,
      'If-Match: 3',
      'X-Expected-Version: -1',
      'X-Source-System: telegraph',
      'X-Source-Timestamp: yesterday',
    ]);
    return {
      method: 'POST',
      target,
      headers: ['Content-Type: application/json', bad.replace(/[\r\n]/g, '')],
      body: Buffer.from(JSON.stringify(valid)),
    };
  }
  const { headers, body } = junkBody(rng, valid);
  return {
    method: 'POST',
    target,
    headers: [...headers, ...(rng.chance(0.3) ? junkHeaders(rng) : [])],
    body,
    chunked: rng.chance(0.1),
  };
};

/** A request of the admin API of keys that can change none: a broken body, or a key id naming no key. */
const adminKeys: Generator = (rng) => {
  if (rng.chance(0.3)) return read([fixed('/v1/admin/api-keys')])(rng);
  const create = rng.chance(0.5);
  const target = create
    ? '/v1/admin/api-keys'
    : `/v1/admin/api-keys/${junkSegment(rng)}/${rng.pick(['rotate', 'revoke'])}`;
  const { headers, body } = junkBody(rng, create ? { roles: ['reader'], name: 'fuzz' } : {});
  return {
    method: 'POST',
    target: `${target}${rng.chance(0.15) ? junkQuery(rng) : ''}`,
    headers: [...headers, ...(rng.chance(0.3) ? junkHeaders(rng) : [])],
    body,
    chunked: rng.chance(0.1),
  };
};

/** An import whose rows are all broken, half the time in a format the route reads so they reach its parsers. */
const importRows: Generator = (rng) => {
  const type = rng.chance(0.8) ? rng.pick(Object.keys(COMMANDS)) : junkSegment(rng);
  const { headers, body } = junkBody(rng, Object.hasOwn(COMMANDS, type) ? COMMANDS[type] : undefined);
  const format = rng.chance(0.5) ? rng.pick(['text/csv', 'application/x-ndjson']) : undefined;
  return {
    method: 'POST',
    target: `/v1/imports/${type}${rng.chance(0.15) ? junkQuery(rng) : ''}`,
    headers: [
      ...(format ? [...headers.filter((h) => !/^content-type:/i.test(h)), `Content-Type: ${format}`] : headers),
      ...(rng.chance(0.3) ? junkHeaders(rng) : []),
    ],
    body,
    chunked: rng.chance(0.1),
  };
};

const QUERIES = [
  'query Products($first: Int) { products(first: $first) { items { sku name stock { totals { onHand } } } nextCursor } }',
  '{ stock(sku: "SKU-1") { sku version locations { location onHand } } }',
  '{ resolveAlias(context: backend, alias: "orders") { canonical version } }',
  '{ product(sku: "SKU-1") { sku attributes { key value } } }',
];

/** A GraphQL request that is malformed, over a limit, or ill-typed. */
const graphqlRequest: Generator = (rng) => {
  const base = rng.pick(QUERIES);
  let query: string;
  let variables: unknown = {};
  switch (rng.int(10)) {
    case 0: {
      const n = rng.pick([12, 50, 400]);
      query = `{ ${'products { items { stock { '.repeat(n)}sku${' } } }'.repeat(n)} }`;
      break;
    }
    case 1:
      query = `{ ${Array.from({ length: rng.pick([16, 100, 3000]) }, (_, i) => `a${i}: stock(sku: "S${i}") { sku }`).join(' ')} }`;
      break;
    case 2:
      query = `{ stock(sku: "SKU-1") ${'@include(if: true) '.repeat(rng.pick([11, 200]))}{ sku } }`;
      break;
    case 3:
      query = 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }';
      break;
    case 4:
      query = base.slice(0, rng.int(base.length));
      break;
    case 5:
      query = `${base.slice(0, rng.int(base.length))}${junkText(rng, 20)}${base.slice(rng.int(base.length))}`;
      break;
    case 6:
      query = 'query($s: String!, $n: Int) { stock(sku: $s) { sku } products(first: $n) { nextCursor } }';
      variables = { s: rng.pick([junkText(rng), 1, null, ['x'], { a: 1 }]), n: rng.pick([-1, 2 ** 53, 'x', 1.5, 1e6]) };
      break;
    case 7:
      query = rng.pick([
        'mutation { receiveStock }',
        'subscription { stockChanged { sku } }',
        `subscription { ${'a: stockChanged(sku: "x") { sku } '.repeat(20)} }`,
        '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }',
        `{ stock(sku: "${'x'.repeat(rng.pick([1000, 900_000]))}") { sku } }`,
      ]);
      break;
    case 8:
      query = junkText(rng, 200);
      break;
    default: {
      const { headers, body } = junkBody(rng, { query: base });
      return {
        method: 'POST',
        target: '/graphql',
        headers: [...headers, 'Accept: application/json'],
        body,
        chunked: rng.chance(0.3),
      };
    }
  }
  if (rng.chance(0.15))
    return { method: 'GET', target: `/graphql?query=${encodeJunk(query.slice(0, 3000))}`, headers: [] };
  const payload = rng.chance(0.1)
    ? [{ query, variables }, { query: base }]
    : { query, variables, operationName: rng.chance(0.2) ? junkText(rng, 8) : undefined };
  return {
    method: 'POST',
    target: '/graphql',
    headers: [
      'Content-Type: application/json',
      `Accept: ${rng.pick(['application/json', 'application/graphql-response+json', 'text/event-stream', 'multipart/mixed', '*/*'])}`,
      ...(rng.chance(0.2) ? junkHeaders(rng) : []),
    ],
    body: Buffer.from(JSON.stringify(payload)),
  };
};

/** A request the platform would serve: a valid command, a REST read or a GraphQL query of the seeded data. */
const wellFormed = (service: 'gateway' | 'query-api'): Generator =>
  service === 'gateway'
    ? (rng) => {
        const type = rng.pick(Object.keys(COMMANDS));
        return {
          method: 'POST',
          target: `/v1/commands/${type}`,
          headers: ['Content-Type: application/json'],
          body: Buffer.from(JSON.stringify(COMMANDS[type])),
        };
      }
    : (rng) =>
        rng.chance(0.3)
          ? {
              method: 'POST',
              target: '/graphql',
              headers: ['Content-Type: application/json', 'Accept: application/json'],
              body: Buffer.from(JSON.stringify({ query: rng.pick(QUERIES) })),
            }
          : {
              method: 'GET',
              target: rng.pick([
                '/v1/inventory/SKU-1',
                '/v1/catalog/products',
                '/v1/conflicts',
                '/api/aliases/resolve/backend/orders',
              ]),
              headers: [],
            };

/** The groups whose requests carry garbage credentials; every one must be refused with 401. */
const CREDENTIAL_GROUPS = (['gateway', 'query-api'] as const).map((service) => ({
  name: `${service} with garbage credentials`,
  service,
  generate: wellFormed(service),
}));

const GROUPS: { name: string; service: 'gateway' | 'query-api'; generate: Generator }[] = [
  { name: 'gateway commands', service: 'gateway', generate: command },
  {
    name: 'gateway command status',
    service: 'gateway',
    generate: read([seg('/v1/commands/'), fixed('/v1/commands/00000000-0000-4000-8000-000000000000')]),
  },
  { name: 'gateway admin API of keys', service: 'gateway', generate: adminKeys },
  { name: 'gateway imports', service: 'gateway', generate: importRows },
  {
    name: 'query-api inventory',
    service: 'query-api',
    generate: read([seg('/v1/inventory/'), seg('/v1/inventory/locations/'), fixed('/v1/inventory/low-stock')]),
  },
  {
    name: 'query-api catalog',
    service: 'query-api',
    generate: read([seg('/v1/catalog/products/'), fixed('/v1/catalog/products')]),
  },
  {
    name: 'query-api pricing',
    service: 'query-api',
    generate: read([seg('/v1/pricing/price-lists/'), fixed('/v1/pricing/quote'), seg('/v1/pricing/')]),
  },
  {
    name: 'query-api conflicts, sources and sync',
    service: 'query-api',
    generate: read([
      seg('/v1/conflicts/'),
      fixed('/v1/conflicts'),
      fixed('/v1/sources/authority-rules'),
      fixed('/v1/sync/status'),
    ]),
  },
  {
    name: 'alias registry',
    service: 'query-api',
    generate: read([
      (rng) => `/api/aliases/resolve/${junkSegment(rng)}/${junkSegment(rng)}`,
      (rng) => `/api/aliases/resolve/backend/${junkSegment(rng)}`,
      fixed('/api/aliases/status'),
      fixed('/api/aliases/metrics'),
      fixed('/v1/aliases'),
      fixed('/v1/aliases/conflicts'),
    ]),
  },
  {
    name: 'query-api streams (history and time travel)',
    service: 'query-api',
    generate: read([
      seg('/v1/streams/'),
      (rng) => `/v1/streams/${junkSegment(rng)}/SKU-1`,
      (rng) => `/v1/streams/inventory/${junkSegment(rng)}`,
      (rng) => `/v1/streams/inventory/${junkSegment(rng)}/events`,
      fixed('/v1/streams/inventory/SKU-1/events'),
    ]),
  },
  { name: 'GraphQL documents', service: 'query-api', generate: graphqlRequest },
];

function chunk(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
}

function wire(request: FuzzRequest): { head: string; body: Buffer } {
  const body = request.body ?? Buffer.alloc(0);
  const framing = request.body
    ? [request.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`]
    : [];
  const head = [
    `${request.method} ${request.target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...request.headers,
    ...framing,
  ]
    .join('\r\n')
    .concat('\r\n\r\n');
  return { head, body: request.chunked ? chunk(body) : body };
}

/** Everything the platform has written: each topic's end offsets and each read-model table's rows (but the resolution log's). */
async function writes(platform: TestPlatform): Promise<Record<string, unknown>> {
  const topics = (await platform.admin.listTopics())
    .filter((t) => t.startsWith(`${platform.prefix}.`) && !isResolutionLogTopic(platform, t))
    .sort();
  const state: Record<string, unknown> = {};
  for (const topic of topics) state[`topic ${topic}`] = await platform.endOffsets(topic);
  const tables = await platform
    .db('information_schema.tables')
    .where({ table_schema: platform.schema })
    .pluck<string[]>('table_name');
  for (const table of tables.sort()) {
    const rows = await rowsBesidesResolutionLog(platform, table);
    if (rows !== undefined) state[`table ${table}`] = rows;
  }
  return state;
}

const port = (url: string | undefined) => Number(new URL(url!).port);

describe(`fuzzing every route group (seed ${SEED}, ${PER_GROUP} requests each)`, () => {
  let platform: TestPlatform;
  let before: Record<string, unknown>;
  /** An admin JWT of tenant `default`, which holds the seeded data. */
  let token: string;
  /** Tokens the platform must refuse, with valid shapes. */
  let refused: string[];

  beforeAll(async () => {
    // The seed is what makes a failure reproducible.
    console.log(`fuzz seed ${SEED}: VERITY_FUZZ_SEED=${SEED} repeats this run`);
    platform = await startTestPlatform();
    token = await mintToken(platform.env);
    const foreign = { ...platform.env, VERITY_AUTH_JWT_SECRET: 'another-secret-of-at-least-32-characters' };
    refused = await Promise.all([
      mintToken(foreign),
      mintToken(platform.env, { expiresInS: -3600 }),
      mintToken(platform.env, { audience: 'someone-else' }),
      mintToken(platform.env, { issuer: 'someone-else' }),
      mintToken(platform.env, { roles: ['root'] }),
      mintToken(platform.env, { tenant: 'Not A Tenant!' }),
    ]);
    // Some data for the reads to find, then the state nothing may change.
    for (const [type, payload] of Object.entries(COMMANDS))
      expect((await postCommand(platform, type, payload)).status).toBe(200);
    await eventually(
      async () =>
        (await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-1`, { headers: await withCredential(platform) }))
          .status === 200
          ? true
          : undefined,
      30_000,
      'stock projected',
    );
    // Settled: every projection has caught up with the seeding commands (two looks alike).
    before = await eventually(
      async () => {
        const first = await writes(platform);
        await new Promise((r) => setTimeout(r, 500));
        const second = await writes(platform);
        return JSON.stringify(first) === JSON.stringify(second) ? second : undefined;
      },
      30_000,
      'writes settled',
    );
    // The comparison means something only if it covers the topics and tables the commands reach.
    expect(Object.keys(before).filter((k) => k.startsWith('topic ')).length).toBeGreaterThan(8);
    expect(Object.keys(before).filter((k) => k.startsWith('table ')).length).toBeGreaterThan(5);
    // Starting the platform alone took over a minute on a loaded CI box.
  }, 300_000);
  afterAll(async () => {
    await platform?.stop();
  });

  /** Sends a group's requests, each with the credential lines `credential` gives it. */
  async function fuzz(
    group: { service: 'gateway' | 'query-api'; generate: Generator },
    rng: Rng,
    credential: () => string[],
  ) {
    const requests = Array.from({ length: PER_GROUP }, () => {
      const request = group.generate(rng);
      return { ...request, headers: [...credential(), ...request.headers] };
    });
    const target = port(platform.urls[group.service]);
    return pool(
      requests.map((request) => async () => {
        const { head, body } = wire(request);
        return { request, answer: await sendRaw(target, head, body) };
      }),
      CONCURRENCY,
    );
  }

  for (const [index, group] of GROUPS.entries()) {
    it(`${group.name}: no 5xx`, async () => {
      // One stream per group: a group's requests do not change with the number of groups before it.
      const rng = new Rng(SEED + index * 7919);
      const answers = await fuzz(group, rng, () => [`Authorization: Bearer ${token}`]);
      const failures = answers
        .filter(({ answer }) => answer.status >= 500 || answer.status === 0)
        .map(({ request, answer }, i) => ({
          i,
          status: answer.status,
          method: request.method,
          target: JSON.stringify(request.target.slice(0, 200)),
          headers: request.headers.map((h) => h.slice(0, 120)),
          body: request.body?.subarray(0, 120).toString('latin1'),
        }));
      const statuses: Record<number, number> = {};
      for (const { answer } of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      // What the group's requests were answered with, to see that they reach past the parsers.
      console.log(`${group.name}: ${JSON.stringify(statuses)}`);
      expect({ seed: SEED, failures }).toEqual({ seed: SEED, failures: [] });
      // Every refusal is problem+json or a GraphQL answer in the format asked for (HEAD has no body).
      const untyped = answers.filter(
        ({ request, answer }) =>
          answer.status >= 400 &&
          request.method !== 'HEAD' &&
          // yoga answers a POST whose content type it does not read with a bare 415.
          !(answer.status === 415 && request.target === '/graphql') &&
          !/application\/(problem\+)?json|application\/graphql-response\+json|text\/event-stream|multipart\/mixed/.test(
            answer.contentType,
          ),
      );
      expect(
        untyped.map(
          ({ request, answer }) =>
            `${answer.status} ${answer.contentType} ${request.method} ${request.target.slice(0, 80)} ${request.headers.join(' | ').slice(0, 120)}`,
        ),
      ).toEqual([]);
    }, 60_000);
  }

  for (const [index, group] of CREDENTIAL_GROUPS.entries()) {
    it(`${group.name}: 401 problem+json, each`, async () => {
      const rng = new Rng(SEED + (GROUPS.length + index) * 7919);
      const answers = await fuzz(group, rng, () => junkCredential(rng, token, refused));
      const statuses: Record<number, number> = {};
      for (const { answer } of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      console.log(`${group.name}: ${JSON.stringify(statuses)}`);
      const passed = answers
        .filter(({ answer }) => answer.status !== 401 || !answer.contentType.includes('application/problem+json'))
        .map(
          ({ request, answer }) =>
            `${answer.status} ${request.method} ${request.target} ${request.headers.join(' | ')}`,
        );
      expect({ seed: SEED, passed }).toEqual({ seed: SEED, passed: [] });
    }, 60_000);
  }

  it.each([
    ['query-api', '/v1/inventory/%ED%A0%80'],
    ['query-api', '/v1/catalog/products/%ED%A0%80'],
    ['query-api', '/v1/pricing/price-lists/%ED%A0%80'],
    ['gateway', '/v1/commands/%ED%A0%80'],
    ['query-api', '/api/aliases/resolve/x/%ED%A0%80'],
    ['query-api', '/v1/inventory/locations/%00'],
  ] as const)('%s GET %s: 400 problem+json (was 500)', async (service, path) => {
    const res = await fetch(`${platform.urls[service]}${path}`, { headers: await withCredential(platform) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 400, code: 'malformed_request_target' });
  });

  it('wrote nothing: every topic and read-model table is as it was', async () => {
    // Long enough for a command that got through to be appended, processed and projected.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await writes(platform)).toEqual(before);
  });
});
