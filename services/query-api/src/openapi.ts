import { z } from 'zod';
import { SOURCE_SYSTEMS, tenantIdSchema } from '@verity/core';
import { conflictIdSchema, GOVERNED_FIELDS, skuSchema } from '@verity/domain';
import { PRODUCT_STATUSES } from '@verity/projection-catalog-products';
import { CONFLICT_STATUSES } from '@verity/projection-source-conflicts';
import {
  aliasSchema,
  conflictQuerySchema,
  contextSchema,
  listQuerySchema as aliasListQuerySchema,
  ALIAS_CONTEXTS,
} from './aliases-routes';
import { resolutionsQuerySchema } from './alias-audit-routes';
import { listQuerySchema as productListQuerySchema } from './catalog-routes';
import { locationQuerySchema, locationSchema, lowStockQuerySchema } from './inventory-routes';
import { priceListIdSchema } from './pricing-quote';
import { quoteQuerySchema } from './pricing-routes';
import { authorityRulesQuerySchema, conflictListQuerySchema } from './conflicts-routes';
import { syncStatusQuerySchema } from './sync-routes';
import { historyQuerySchema, stateQuerySchema, streamContextSchema, streamIdParamSchema } from './stream-routes';
import { CONFLICT_CONTEXTS } from './source-conflicts';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as it appears in the document. */
export type JsonSchema = Record<string, unknown>;

/** What a client sends: the input side of a zod schema (before transforms), without `$schema`. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
}

/** The query parameters a route's zod query schema accepts, one OpenAPI parameter per property. */
export function queryParameters(schema: z.ZodType): Record<string, unknown>[] {
  const json = jsonSchemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

const pathParam = (name: string, schema: z.ZodType) => ({
  name,
  in: 'path',
  required: true,
  schema: jsonSchemaOf(schema),
});
const streamIdParameter = {
  ...pathParam('streamId', streamIdParamSchema),
  description:
    "the aggregate id (`SKU-1`), or `<tenant>/<aggregate id>` with the slash percent-encoded (`acme%2FSKU-1`); the tenant is the credential's either way",
};
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, schema: JsonSchema, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('ProblemDetails') } },
});

const tenantHeader = {
  name: 'X-Tenant-Id',
  in: 'header',
  required: false,
  description:
    "may only repeat the credential's tenant (which is read whatever it says); another tenant is 403 `foreign_tenant`, except for a `platform-operator`, who reads the tenant named",
  schema: jsonSchemaOf(tenantIdSchema),
};
const consistencyHeader = {
  name: 'X-Consistency-Token',
  in: 'header',
  required: false,
  description:
    "a command reply's `consistencyToken`: the read waits (bounded by VERITY_CONSISTENCY_TIMEOUT_MS) until the read model has passed it",
  schema: { type: 'string' },
};
const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'an ETag from an earlier answer: 304 when unchanged',
  schema: { type: 'string' },
};

const readHeaders = {
  'X-Consistency': {
    description: '`fresh` or `stale` (the wait timed out) when an X-Consistency-Token was sent',
    schema: { enum: ['fresh', 'stale'] },
  },
};
const cachedReadHeaders = {
  ...readHeaders,
  'X-Cache': {
    description:
      '`hit` (Redis), `miss` (PostgreSQL, cache refilled) or `bypass` (Redis down, or after a consistency wait)',
    schema: { enum: ['hit', 'miss', 'bypass'] },
  },
  ETag: { description: 'the stream version, quoted', schema: { type: 'string' } },
};

const listEtag = { description: 'a digest of the body, quoted', schema: { type: 'string' } };

const nullable = (schema: JsonSchema): JsonSchema => ({ oneOf: [schema, { type: 'null' }] });
const int = { type: 'integer' };
const str = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, JsonSchema>, required = Object.keys(properties)): JsonSchema => ({
  type: 'object',
  required,
  properties,
});

/** Response shapes of the read models (StockView, ProductView, AliasView, ConflictView, SourceConflictView, AuthorityRuleView in the projections). */
const schemas: Record<string, JsonSchema> = {
  ProblemDetails: {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string', description: '`urn:verity:problem:<code>`' },
      title: str,
      status: int,
      detail: str,
      code: { type: 'string', description: 'machine-readable, e.g. `validation_failed`, `not_found`' },
      instance: str,
      errors: { type: 'array', items: obj({ path: str, message: str }) },
    },
    additionalProperties: true,
  },
  Health: obj({ status: { const: 'up' }, service: str }),
  StreamEvent: obj(
    {
      version: int,
      offset: { type: 'string', description: 'offset in the events topic' },
      time: { ...time, description: 'when Verity accepted the command' },
      type: { type: 'string', description: 'Avro full name, e.g. `verity.inventory.StockReceived`' },
      actor: { type: 'string', description: "the credential's subject" },
      onBehalfOf: { type: 'string', description: 'the ERP user an act-as credential named (`X-Actor`)' },
      sourceSystem: str,
      sourceTimestamp: { ...time, description: "the source system's own time for the change" },
      correlationId: str,
      causationId: str,
      payload: { type: 'object', additionalProperties: true, description: 'decoded from Avro, in the newest version' },
      hash: { type: 'string', description: 'sha256 over prevHash, canonical metadata and the value bytes' },
      prevHash: { type: 'string', description: "the previous event's hash; empty for version 1" },
    },
    [
      'version',
      'offset',
      'time',
      'type',
      'actor',
      'sourceSystem',
      'sourceTimestamp',
      'correlationId',
      'causationId',
      'payload',
      'hash',
      'prevHash',
    ],
  ),
  StreamHistory: obj(
    {
      context: str,
      streamId: { type: 'string', description: '`<tenant>/<aggregate id>`' },
      events: { type: 'array', items: ref('StreamEvent') },
      next: { type: 'string', description: 'the next page, when there is one' },
    },
    ['context', 'streamId', 'events'],
  ),
  StreamState: obj({
    context: str,
    streamId: { type: 'string', description: '`<tenant>/<aggregate id>`' },
    version: int,
    at: { ...time, description: 'when Verity accepted the event that made this state' },
    state: { description: "the context decider's state, as it decided the next command on" },
  }),
  Readiness: obj({
    status: { enum: ['up', 'degraded', 'down'] },
    service: str,
    checks: {
      type: 'array',
      items: obj({ name: str, status: { enum: ['up', 'degraded', 'down'] }, detail: str }, ['name', 'status']),
    },
  }),
  LocationStock: obj({
    location: str,
    onHand: int,
    reserved: int,
    buffer: int,
    available: { type: 'integer', description: 'max(0, onHand - reserved - buffer)' },
  }),
  StockView: obj({
    tenant: str,
    sku: str,
    version: int,
    locations: { type: 'array', items: ref('LocationStock') },
    totals: obj({ onHand: int, reserved: int, buffer: int, available: int }),
    updatedAt: time,
  }),
  StockPage: obj({
    items: { type: 'array', items: { allOf: [ref('LocationStock'), obj({ sku: str })] } },
    nextCursor: nullable(str),
  }),
  ProductView: obj({
    tenant: str,
    sku: str,
    name: str,
    description: nullable(str),
    unit: str,
    attributes: { type: 'object', additionalProperties: str },
    status: { enum: [...PRODUCT_STATUSES] },
    version: int,
    updatedAt: time,
  }),
  ProductPage: obj({ items: { type: 'array', items: ref('ProductView') }, nextCursor: nullable(str) }),
  AliasView: obj({
    tenant: str,
    context: { enum: [...ALIAS_CONTEXTS] },
    alias: str,
    canonical: str,
    description: nullable(str),
    owner: str,
    expiresAt: nullable(time),
    status: { enum: ['active', 'inactive', 'expired'] },
    version: int,
    updatedAt: time,
  }),
  AliasPage: obj({ items: { type: 'array', items: ref('AliasView') }, nextCursor: nullable(str) }),
  AliasResolution: obj({
    id: str,
    resolvedAt: { ...time, description: 'the first of the identical answers the row stands for' },
    lastResolvedAt: { ...time, description: 'the last of them (`resolvedAt` when there was one)' },
    count: {
      ...int,
      description:
        'identical answers (same credential, alias, outcome, token use) within one flush window of one instance',
    },
    context: { enum: [...ALIAS_CONTEXTS] },
    alias: str,
    outcome: { enum: ['resolved', 'not_found'], description: '`resolved` (200) or `not_found` (404)' },
    canonical: { ...nullable(str), description: 'what the alias resolved to; null when not found' },
    actor: { type: 'string', description: "the credential's subject: JWT `sub` or API key id" },
    credentialKind: { enum: ['jwt', 'api-key'] },
    instance: { type: 'string', description: 'the query-api instance that answered' },
    consistencyToken: { type: 'boolean', description: 'whether the resolve sent X-Consistency-Token' },
  }),
  AliasResolutionPage: obj({
    items: { type: 'array', items: ref('AliasResolution') },
    nextCursor: nullable(str),
  }),
  ConflictView: obj({
    conflictId: str,
    context: str,
    alias: str,
    canonical: str,
    owner: str,
    existingAlias: nullable(str),
    existingOwner: nullable(str),
    kind: { type: 'string', description: '`alias_taken` or `canonical_owned`' },
    status: { enum: ['open', 'accepted', 'rejected'] },
    detectedAt: time,
    resolvedAt: nullable(time),
  }),
  AliasHealth: obj({ status: { enum: ['ok', 'degraded', 'down'] } }),
  ConflictSide: obj({
    value: { description: 'the value as JSON (a string for catalog fields, an integer for on hand)' },
    sourceSystem: nullable({ enum: [...SOURCE_SYSTEMS] }),
    sourceTimestamp: nullable(time),
  }),
  SourceConflictView: obj({
    tenant: str,
    conflictId: str,
    context: { enum: [...CONFLICT_CONTEXTS] },
    sku: str,
    location: nullable({ type: 'string', description: 'set for inventory.onHand' }),
    field: { enum: [...GOVERNED_FIELDS] },
    rule: { enum: ['not_owner', 'older_than_applied'] },
    owners: {
      type: 'array',
      items: { enum: [...SOURCE_SYSTEMS] },
      description: "the owners the tenant's rule named; empty when none did",
    },
    current: { allOf: [ref('ConflictSide')], description: 'what the stream held when the change came' },
    incoming: { allOf: [ref('ConflictSide')], description: 'the change that was not applied' },
    status: { enum: [...CONFLICT_STATUSES] },
    accepted: nullable({ enum: ['current', 'incoming'] }),
    detectedAt: time,
    resolvedAt: nullable(time),
    version: { type: 'integer', description: 'version of the stream event that last changed the conflict' },
  }),
  SourceConflictPage: obj({ items: { type: 'array', items: ref('SourceConflictView') }, nextCursor: nullable(str) }),
  AuthorityRuleView: obj({
    field: { enum: [...GOVERNED_FIELDS] },
    owners: { type: 'array', items: { enum: [...SOURCE_SYSTEMS] } },
    version: int,
    updatedAt: time,
  }),
  SourceSyncStatus: obj({
    source: { type: 'string', description: 'the source system (erp-db, netsuite, shopify, sap-b1, dynamics-365, api)' },
    applied: { type: 'integer', description: 'events appended from this source' },
    conflicted: { type: 'integer', description: 'changes that lost to an authority rule' },
    rejected: { type: 'integer', description: 'changes the processor refused, within the outcome window' },
    deadLettered: { type: 'integer', description: 'changes an ingestor could not turn into a command' },
    deadLetteredPending: { type: 'integer', description: 'of those, not replayed yet' },
    lastChangeAt: nullable(time),
    lastAppliedAt: nullable(time),
    lagMs: nullable({ type: 'integer', description: 'appended minus source time of the newest change' }),
  }),
  GraphqlResponse: {
    type: 'object',
    properties: { data: { type: ['object', 'null'] }, errors: { type: 'array', items: { type: 'object' } } },
  },
  PriceRuleView: obj({
    kind: { enum: ['base', 'customer', 'tiers'] },
    sku: str,
    customerId: nullable(str),
    unitPrice: nullable({ type: 'integer', description: 'minor units' }),
    tiers: nullable({ type: 'array', items: obj({ minQuantity: int, unitPrice: int }) }),
    effectiveFrom: time,
    effectiveTo: nullable(time),
    version: int,
  }),
  PriceListView: obj({
    tenant: str,
    priceListId: str,
    name: str,
    currency: str,
    version: int,
    updatedAt: time,
    rules: { type: 'array', items: ref('PriceRuleView') },
  }),
  Quote: obj({
    priceListId: str,
    customerId: nullable(str),
    sku: str,
    quantity: int,
    at: time,
    unitPrice: { type: 'integer', description: 'minor units' },
    total: { type: 'integer', description: 'unitPrice × quantity, minor units' },
    currency: str,
    rule: { enum: ['customer_override', 'customer_tier', 'tier', 'base'] },
    effectiveFrom: time,
    effectiveTo: nullable(time),
  }),
};

const operation = (
  tag: string,
  operationId: string,
  summary: string,
  parameters: unknown[],
  responses: Record<string, unknown>,
) => ({
  get: { tags: [tag], operationId, summary, parameters, responses },
});

/** Either credential: a JWT or an API key. */
const CREDENTIAL = [{ bearer: [] }, { apiKey: [] }];
const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT, or an API key (vk_...)',
    description:
      'A JWT of the configured issuer and audience (tenant, roles and subject from its claims), or an API key issued with `verity keys create` in the Bearer slot',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'an API key, `vk_<id>_<secret>`' },
};

const rateLimitHeaders = {
  'RateLimit-Limit': { description: 'requests per window of the binding limit', schema: int },
  'RateLimit-Remaining': { description: 'requests left in the window', schema: int },
  'RateLimit-Reset': { description: 'seconds until the window resets', schema: int },
};

/** The answers of the guard every credentialed route has, and of its permission check (`grant`, when the route needs one). */
function guardResponses(forbidden: string): Record<string, unknown> {
  return {
    '401': {
      ...problem(
        '`unauthenticated` (no credential) or `invalid_credential` (expired, wrong audience, bad signature, revoked key, ...)',
      ),
      headers: {
        'WWW-Authenticate': {
          description: 'Bearer realm="verity", with `error="invalid_token"` for a refused credential',
          schema: str,
        },
      },
    },
    '403': problem(forbidden),
    '429': {
      ...problem('`rate_limited`: the credential or the client address made too many requests in the window'),
      headers: { 'Retry-After': { description: 'seconds', schema: int }, ...rateLimitHeaders },
    },
    '503': problem(
      '`authentication_unavailable`: the credential cannot be checked yet (key directory loading, JWKS unreachable); `read_models_unavailable`: the projector has not created the read models or granted the query-api access yet; retry',
    ),
  };
}

const foreignTenant = "`foreign_tenant`: X-Tenant-Id names another tenant than the credential's";
/** The 403 of a route reading `context`, which also takes a reader of the alias context it names when `aliasContext`. */
const readForbidden = (context: string, aliasContext = false): string =>
  `\`insufficient_permission\`: the credential lacks \`reader:${context}\`${aliasContext ? ' (or `reader:<context>` of the alias context read)' : ''}, named in \`missingPermission\`; ${foreignTenant}`;

/** What a path needs: nothing (`open`), a credential, or a credential allowed to read a context (the 403 says which). */
function accessOf(path: string): { security: unknown[]; forbidden?: string } {
  if (['/health', '/ready', '/openapi.json', '/asyncapi.json'].includes(path)) return { security: [] };
  // An empty requirement: open with VERITY_METRICS_OPEN.
  if (path === '/metrics')
    return {
      security: [...CREDENTIAL, {}],
      forbidden:
        '`insufficient_permission`: needs `platform-operator` or `reader:metrics` (unless VERITY_METRICS_OPEN)',
    };
  if (path === '/api/aliases/health' || path === '/api/aliases/status')
    return { security: CREDENTIAL, forbidden: foreignTenant };
  if (path === '/api/aliases/audit/resolutions')
    return {
      security: CREDENTIAL,
      forbidden: `\`insufficient_permission\`: the credential lacks \`admin:aliases\`, named in \`missingPermission\`; ${foreignTenant}`,
    };
  if (path === '/graphql')
    return {
      security: CREDENTIAL,
      forbidden: `${foreignTenant}. A field the credential may not read is a GraphQL error \`FORBIDDEN\` naming \`extensions.missingPermission\`, and the answer's status is 403`,
    };
  const contexts: [string, string, boolean][] = [
    ['/v1/inventory/', 'inventory', false],
    ['/v1/catalog/', 'catalog', false],
    ['/v1/pricing/', 'pricing', false],
    ['/v1/conflicts', 'sources', false],
    ['/v1/sources/', 'sources', false],
    ['/v1/sync/', 'sync', false],
    ['/api/aliases/resolve/', 'aliases', true],
    ['/v1/aliases/conflicts', 'aliases', false],
    ['/v1/aliases', 'aliases', true],
    ['/api/aliases/metrics', 'aliases', false],
    ['/v1/streams/', '<context>', false],
  ];
  const found = contexts.find(([prefix]) => path.startsWith(prefix));
  if (!found) throw new Error(`${path}: no access documented (openapi.ts accessOf)`);
  return { security: CREDENTIAL, forbidden: readForbidden(found[1], found[2]) };
}

type OperationObject = { responses: Record<string, unknown> } & Record<string, unknown>;

/** Every operation with the security it needs and the answers of its guard. */
function withAccess(paths: Record<string, Record<string, OperationObject>>) {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => {
      const { security, forbidden } = accessOf(path);
      return [
        path,
        Object.fromEntries(
          Object.entries(item).map(([method, op]) => [
            method,
            {
              ...op,
              security,
              responses: forbidden === undefined ? op.responses : { ...op.responses, ...guardResponses(forbidden) },
            },
          ]),
        ),
      ];
    }),
  );
}

/** The query-api's OpenAPI 3.1 document: every route, its parameters, the credential it needs, and its answers. */
export function buildQueryApiOpenApi(version = '0.1.0'): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Verity query API',
      version,
      description:
        "Read models over REST and GraphQL, read through the Redis cache when it is up, else from PostgreSQL. Every route but /health, /ready, /openapi.json and /asyncapi.json needs a credential (a JWT or an API key) and reads the credential's tenant, with `read` on the route's context (`reader`, `reader:<context>`). Errors are RFC 7807 problem+json with a machine-readable `code`.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'inventory' },
      { name: 'catalog' },
      { name: 'pricing' },
      { name: 'aliases' },
      { name: 'conflicts' },
      { name: 'sync' },
      { name: 'streams' },
      { name: 'graphql' },
      { name: 'operations' },
    ],
    security: CREDENTIAL,
    paths: withAccess({
      '/v1/inventory/low-stock': operation(
        'inventory',
        'listLowStock',
        'SKU/location pairs whose available stock is below a threshold, by SKU and location',
        [...queryParameters(lowStockQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('a page', ref('StockPage'), { ...readHeaders, ETag: listEtag }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_consistency_token`'),
        },
      ),
      '/v1/inventory/locations/{location}': operation(
        'inventory',
        'listLocationStock',
        'Stock of every SKU at one location, by SKU',
        [
          pathParam('location', locationSchema),
          ...queryParameters(locationQuerySchema),
          tenantHeader,
          consistencyHeader,
          ifNoneMatch,
        ],
        {
          '200': json('a page', ref('StockPage'), { ...readHeaders, ETag: listEtag }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_consistency_token`'),
        },
      ),
      '/v1/inventory/{sku}': operation(
        'inventory',
        'getStock',
        'Stock of one SKU across its locations',
        [pathParam('sku', skuSchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('the stock', ref('StockView'), cachedReadHeaders),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` (sku), `invalid_header`, `invalid_consistency_token`'),
          '404': problem('`not_found`: no stock known for the SKU'),
        },
      ),
      '/v1/catalog/products': operation(
        'catalog',
        'listProducts',
        'Products by SKU, cursor-paginated',
        [...queryParameters(productListQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('a page', ref('ProductPage'), { ...readHeaders, ETag: listEtag }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_consistency_token`'),
        },
      ),
      '/v1/catalog/products/{sku}': operation(
        'catalog',
        'getProduct',
        'One product',
        [pathParam('sku', skuSchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('the product', ref('ProductView'), cachedReadHeaders),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` (sku), `invalid_header`, `invalid_consistency_token`'),
          '404': problem('`not_found`: no product with the SKU'),
        },
      ),
      '/v1/pricing/quote': operation(
        'pricing',
        'quotePrice',
        'The unit price and total for a customer, SKU and quantity at an instant (customer override > customer tier > tier > base)',
        [...queryParameters(quoteQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('the quote', ref('Quote'), {
            'X-Cache': cachedReadHeaders['X-Cache'],
            ...readHeaders,
            ETag: listEtag,
          }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_consistency_token`'),
          '404': problem('`not_found`: unknown price list; `no_price`: no rule prices the SKU then'),
        },
      ),
      '/v1/pricing/price-lists/{priceListId}': operation(
        'pricing',
        'getPriceList',
        'A price list with all its rules',
        [pathParam('priceListId', priceListIdSchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('the price list', ref('PriceListView'), { ...readHeaders, ETag: cachedReadHeaders.ETag }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` (priceListId), `invalid_header`, `invalid_consistency_token`'),
          '404': problem('`not_found`: no price list with the id'),
        },
      ),
      '/api/aliases/resolve/{context}/{alias}': operation(
        'aliases',
        'resolveAlias',
        'The canonical name of an active, unexpired alias',
        [pathParam('context', contextSchema), pathParam('alias', aliasSchema), tenantHeader, consistencyHeader],
        {
          '200': json('resolved', obj({ canonical_name: str }), {
            'X-Cache': cachedReadHeaders['X-Cache'],
            ...readHeaders,
          }),
          '400': problem('`validation_failed` (context, alias), `invalid_header`, `invalid_consistency_token`'),
          '404': problem('`not_found`: unknown, inactive or expired'),
        },
      ),
      '/api/aliases/health': operation('aliases', 'aliasesHealth', 'Health of the alias registry', [], {
        '200': json('ok or degraded (no cache)', ref('AliasHealth')),
        '503': json('down', ref('AliasHealth')),
      }),
      '/api/aliases/status': operation('aliases', 'aliasesStatus', 'Service name, version and health', [], {
        '200': json(
          'status',
          obj({ service: { const: 'verity-aliases' }, version: str, health: { enum: ['ok', 'degraded', 'down'] } }),
        ),
      }),
      '/api/aliases/metrics': operation(
        'aliases',
        'aliasesMetrics',
        "The tenant's alias counts and this query-api's resolve latency",
        [tenantHeader],
        {
          '200': json(
            'counts and latency',
            obj({
              total: int,
              active: int,
              resolveLatencyMs: obj({ p50: { type: 'number' }, p99: { type: 'number' } }),
            }),
          ),
          '400': problem('`invalid_header`'),
        },
      ),
      '/api/aliases/audit/resolutions': operation(
        'aliases',
        'listAliasResolutions',
        "Who resolved which alias of the tenant, what they got and when, oldest first, cursor-paginated (needs `admin:aliases`). Recorded off the request path: a resolve appears after the query-api's flush interval and the projector's lag; retention VERITY_ALIAS_RESOLUTIONS_RETENTION_DAYS",
        [...queryParameters(resolutionsQuerySchema), tenantHeader],
        {
          '200': json('a page', ref('AliasResolutionPage')),
          '400': problem('`validation_failed` naming the parameter, `invalid_header`'),
        },
      ),
      '/v1/aliases': operation(
        'aliases',
        'listAliases',
        'Aliases by context and alias, cursor-paginated',
        [...queryParameters(aliasListQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('a page', ref('AliasPage'), { ...readHeaders, ETag: listEtag }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_consistency_token`'),
        },
      ),
      '/v1/aliases/conflicts': operation(
        'aliases',
        'listAliasConflicts',
        'Alias conflicts, optionally by status',
        [...queryParameters(conflictQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('conflicts', obj({ items: { type: 'array', items: ref('ConflictView') } }), {
            ...readHeaders,
            ETag: listEtag,
          }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_consistency_token`'),
        },
      ),
      '/v1/conflicts': operation(
        'conflicts',
        'listConflicts',
        'Conflicts between source systems, oldest first, cursor-paginated, by status, context, SKU and field',
        [...queryParameters(conflictListQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('a page', ref('SourceConflictPage'), { ...readHeaders, ETag: listEtag }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` naming the parameter, `invalid_header`, `invalid_consistency_token`'),
        },
      ),
      '/v1/conflicts/{conflictId}': operation(
        'conflicts',
        'getConflict',
        'One conflict between source systems',
        [pathParam('conflictId', conflictIdSchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('the conflict', ref('SourceConflictView'), {
            ...cachedReadHeaders,
            ETag: { description: 'the version of the event that last changed it, quoted', schema: str },
          }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem('`validation_failed` (conflictId), `invalid_header`, `invalid_consistency_token`'),
          '404': problem('`not_found`: no conflict with the id'),
        },
      ),
      '/v1/sources/authority-rules': operation(
        'conflicts',
        'listAuthorityRules',
        "The tenant's authority rules: which source systems own which field",
        [...queryParameters(authorityRulesQuerySchema), tenantHeader, consistencyHeader, ifNoneMatch],
        {
          '200': json('the rules by field', obj({ items: { type: 'array', items: ref('AuthorityRuleView') } }), {
            ...readHeaders,
            ETag: listEtag,
          }),
          '304': { description: 'unchanged since the If-None-Match ETag' },
          '400': problem(
            '`validation_failed` naming an unknown parameter, `invalid_header`, `invalid_consistency_token`',
          ),
        },
      ),
      '/v1/sync/status': operation(
        'sync',
        'getSyncStatus',
        "Per source system of the tenant: changes applied, conflicted, rejected and dead-lettered, and the newest change's lag",
        [...queryParameters(syncStatusQuerySchema), tenantHeader],
        {
          '200': json(
            'the sources that sent anything',
            obj({ tenant: str, sources: { type: 'array', items: ref('SourceSyncStatus') } }),
          ),
          '400': problem('`validation_failed` naming an unknown parameter, `invalid_header`'),
        },
      ),
      '/v1/streams/{context}/{streamId}/events': operation(
        'streams',
        'getStreamHistory',
        'The history of a stream of the tenant as its events topic (the audit trail) holds it: who, when, source system, decoded payload, version and hash chain, paged by version; read from the stream-history read model, so it honours X-Consistency-Token',
        [
          pathParam('context', streamContextSchema),
          streamIdParameter,
          ...queryParameters(historyQuerySchema),
          tenantHeader,
          consistencyHeader,
        ],
        {
          '200': json('a page of events, oldest first', ref('StreamHistory'), readHeaders),
          '400': problem(
            '`validation_failed` (context, streamId, fromVersion, limit), `invalid_header`, `invalid_consistency_token`',
          ),
          '404': problem("`not_found`: the stream has no events (or is another tenant's)"),
        },
      ),
      '/v1/streams/{context}/{streamId}': operation(
        'streams',
        'getStreamState',
        "A stream's state as its context's decider held it after a version or at an instant (the newest without either): its events folded through the decider's evolve",
        [
          pathParam('context', streamContextSchema),
          streamIdParameter,
          ...queryParameters(stateQuerySchema),
          tenantHeader,
          consistencyHeader,
        ],
        {
          '200': json('the state', ref('StreamState'), readHeaders),
          '400': problem(
            '`validation_failed` (context, streamId, version, at, or both of them), `invalid_header`, `invalid_consistency_token`',
          ),
          '404': problem(
            "`not_found`: the stream has no events (or is another tenant's), is not yet at the version, or had no event by the instant",
          ),
        },
      ),
      '/graphql': {
        get: {
          tags: ['graphql'],
          operationId: 'graphqlGet',
          summary:
            'GraphQL (graphql-yoga) over GET: a query in the query string; subscriptions as server-sent events with Accept: text/event-stream',
          parameters: [
            { name: 'query', in: 'query', required: true, schema: str },
            { name: 'variables', in: 'query', required: false, description: 'JSON', schema: str },
            { name: 'operationName', in: 'query', required: false, schema: str },
            tenantHeader,
          ],
          responses: { '200': json('a GraphQL response', ref('GraphqlResponse')) },
        },
        post: {
          tags: ['graphql'],
          operationId: 'graphqlPost',
          summary:
            'GraphQL (graphql-yoga): queries, and subscriptions as server-sent events with Accept: text/event-stream; the schema is services/query-api/schema.graphql',
          parameters: [tenantHeader],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: obj(
                  { query: str, variables: { type: 'object', additionalProperties: true }, operationName: str },
                  ['query'],
                ),
              },
            },
          },
          responses: {
            '200': {
              description: 'a GraphQL response, or an event stream of them',
              content: { 'application/json': { schema: ref('GraphqlResponse') }, 'text/event-stream': { schema: str } },
            },
          },
        },
      },
      '/health': operation('operations', 'health', 'Liveness', [], {
        '200': json('the process answers', ref('Health')),
      }),
      '/ready': operation(
        'operations',
        'ready',
        'Readiness: PostgreSQL required, Redis optional (`degraded` without it)',
        [],
        {
          '200': json('up or degraded', ref('Readiness')),
          '503': json('a required dependency is down', ref('Readiness')),
        },
      ),
      '/metrics': operation('operations', 'metrics', 'Prometheus metrics', [], {
        '200': {
          description: 'Prometheus text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      }),
      '/openapi.json': operation('operations', 'openapi', 'This document', [], {
        '200': json('OpenAPI 3.1', { type: 'object' }),
      }),
      '/asyncapi.json': operation(
        'operations',
        'asyncapi',
        'The AsyncAPI 3.0 document of the events topics downstream teams consume: per context its topic, key, headers and every event version with its Avro schema',
        [],
        { '200': json('AsyncAPI 3.0', { type: 'object' }) },
      ),
    }),
    components: { schemas, securitySchemes },
  };
}
