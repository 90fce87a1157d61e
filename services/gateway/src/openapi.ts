import { z } from 'zod';
import { SOURCE_SYSTEMS, tenantIdSchema, type ContextDefinition } from '@verity/core';
import { ALIAS_CONTEXTS } from '@verity/domain';
import { requiredGrant } from '@verity/service-kit';
import { ADMIN_KEYS_PATH, createKeyBody, rotateKeyBody } from './admin-key-routes';
import {
  WEBHOOK_SUBSCRIPTIONS_PATH,
  createSubscriptionBody,
  rotateSubscriptionBody,
} from './webhook-subscription-routes';
import { commandPermission } from './command-permission';
import { IMPORT_MEDIA_TYPES } from './import-media';

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

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('ProblemDetails') } },
});
const headerParam = (name: string, description: string, schema: JsonSchema) => ({
  name,
  in: 'header',
  required: false,
  description,
  schema,
});

/** What every guarded route may answer before it runs: no credential, not allowed, too many requests. */
export const guardedResponses = {
  '401': {
    ...problem(
      '`unauthenticated` (no credential) or `invalid_credential` (expired, wrong audience, bad signature, revoked key)',
    ),
    headers: { 'WWW-Authenticate': { description: 'RFC 6750: `Bearer realm="verity"`', schema: { type: 'string' } } },
  },
  '403': problem(
    '`insufficient_permission` naming `missingPermission` (e.g. `writer:inventory`), or `foreign_tenant` (X-Tenant-Id of another tenant)',
  ),
  '429': {
    ...problem('`rate_limited`: the limit of the credential or the client address is reached'),
    headers: {
      'Retry-After': { description: 'seconds until a request may pass', schema: { type: 'integer' } },
      'RateLimit-Limit': { schema: { type: 'integer' } },
      'RateLimit-Remaining': { schema: { type: 'integer' } },
      'RateLimit-Reset': { schema: { type: 'integer' } },
    },
  },
};

/** A JWT from the identity provider or an API key, as a bearer token; or the API key in `X-Api-Key`. */
export const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'a JWT (tenant, roles and subject from its claims) or an API key `vk_<id>_<secret>`',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'an API key `vk_<id>_<secret>`' },
};

/** RFC 7807 problem+json as every Verity service answers an error; extensions ride beside the standard members. */
export const problemDetailsSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: '`urn:verity:problem:<code>`' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'machine-readable, e.g. `validation_failed`, `insufficient_stock`' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  additionalProperties: true,
};

/** /health, /ready and /metrics of every service (createHttpApp in @verity/service-kit). */
export function probePaths(service: string): Record<string, unknown> {
  return {
    '/health': {
      get: {
        tags: ['operations'],
        operationId: 'health',
        security: [],
        summary: `Liveness of the ${service}`,
        responses: {
          '200': { description: 'the process answers', content: { 'application/json': { schema: ref('Health') } } },
        },
      },
    },
    '/ready': {
      get: {
        tags: ['operations'],
        operationId: 'ready',
        security: [],
        summary: 'Readiness: every dependency checked; `degraded` when an optional one (the cache) is down',
        responses: {
          '200': { description: 'up or degraded', content: { 'application/json': { schema: ref('Readiness') } } },
          '503': {
            description: 'a required dependency is down',
            content: { 'application/json': { schema: ref('Readiness') } },
          },
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['operations'],
        operationId: 'metrics',
        summary: 'Prometheus metrics: `platform-operator` or `reader:metrics`, unless `VERITY_METRICS_OPEN`',
        responses: {
          '200': {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...guardedResponses,
        },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['operations'],
        operationId: 'openapi',
        security: [],
        summary: 'This document',
        responses: {
          '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  };
}

/** Health, Readiness and ProblemDetails, shared by every service's document. */
export const commonSchemas: Record<string, JsonSchema> = {
  ProblemDetails: problemDetailsSchema,
  Health: {
    type: 'object',
    required: ['status', 'service'],
    properties: { status: { const: 'up' }, service: { type: 'string' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'service', 'checks'],
    properties: {
      status: { enum: ['up', 'degraded', 'down'] },
      service: { type: 'string' },
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'status'],
          properties: {
            name: { type: 'string' },
            status: { enum: ['up', 'degraded', 'down'] },
            detail: { type: 'string' },
          },
        },
      },
    },
  },
};

const appendedEvent: JsonSchema = {
  type: 'object',
  required: ['type', 'topic', 'partition', 'offset'],
  properties: {
    type: { type: 'string', description: 'CloudEvents type, e.g. `verity.inventory.StockReceived`' },
    topic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'string', description: 'a Kafka offset (64-bit, as a string)' },
  },
};

const apiKeyProperties: Record<string, JsonSchema> = {
  keyId: { type: 'string', description: 'the public part of the key; the actor of what it sends' },
  family: { type: 'string', description: 'the first key id of its rotation chain' },
  tenant: { type: 'string' },
  roles: { type: 'array', items: { type: 'string' } },
  name: { type: 'string' },
  issuedAt: { type: 'string', format: 'date-time' },
  expiresAt: { type: 'string', format: 'date-time' },
  revokedAt: { type: 'string', format: 'date-time' },
};

const gatewaySchemas: Record<string, JsonSchema> = {
  ...commonSchemas,
  ApiKey: { type: 'object', required: ['keyId', 'family', 'tenant'], properties: apiKeyProperties },
  NewApiKey: {
    type: 'object',
    required: ['keyId', 'family', 'tenant', 'key', 'commandId'],
    properties: {
      ...apiKeyProperties,
      key: { type: 'string', description: '`vk_<keyId>_<secret>`: shown in this answer only' },
      replaces: { type: 'string', description: 'the key a rotation replaces' },
      commandId: { type: 'string' },
      status: { const: 'pending' },
    },
  },
  CommandAccepted: {
    type: 'object',
    required: ['commandId', 'streamId', 'version', 'events', 'consistencyToken'],
    properties: {
      commandId: { type: 'string' },
      streamId: { type: 'string', description: '`<tenant>/<aggregate id>`' },
      version: { type: 'integer', description: 'the stream version after the command' },
      events: { type: 'array', items: appendedEvent },
      consistencyToken: {
        type: 'string',
        description: 'send back as `X-Consistency-Token` to the query-api to read your write',
      },
    },
  },
  CommandPending: {
    type: 'object',
    required: ['commandId', 'status'],
    properties: { commandId: { type: 'string' }, status: { const: 'pending' } },
  },
  CommandOutcome: {
    oneOf: [
      {
        type: 'object',
        required: ['status', 'commandId', 'streamId', 'version', 'events', 'consistencyToken'],
        properties: {
          status: { const: 'accepted' },
          commandId: { type: 'string' },
          streamId: { type: 'string' },
          version: { type: 'integer' },
          events: { type: 'array', items: appendedEvent },
          consistencyToken: { type: 'string' },
        },
      },
      {
        type: 'object',
        required: ['status', 'commandId', 'streamId', 'version', 'code', 'reason'],
        properties: {
          status: { const: 'rejected' },
          commandId: { type: 'string' },
          streamId: { type: 'string' },
          version: { type: 'integer' },
          code: { type: 'string' },
          reason: { type: 'string' },
          details: { type: 'object', additionalProperties: true },
        },
      },
      ref('CommandPending'),
    ],
  },
};

const tenantHeader = headerParam(
  'X-Tenant-Id',
  "the credential's tenant, which it may only repeat (another is 403 `foreign_tenant`); a `platform-operator` names the tenant it acts for",
  jsonSchemaOf(tenantIdSchema),
);

const commandHeaders = [
  tenantHeader,
  headerParam(
    'X-Actor',
    "the person a credential holding `act-as` acts for, recorded as `onBehalfOf` beside the credential's subject; ignored otherwise",
    { type: 'string', maxLength: 200 },
  ),
  headerParam('Idempotency-Key', 'the command id: a repeat returns the first outcome; generated when absent', {
    type: 'string',
    pattern: '^[A-Za-z0-9._:-]{1,200}$',
  }),
  headerParam('If-Match', 'the expected stream version, quoted (`"3"`): a mismatch is 412', {
    type: 'string',
    pattern: '^"\\d+"$',
  }),
  headerParam('X-Expected-Version', 'the expected stream version: a mismatch is 409', {
    type: 'string',
    pattern: '^\\d+$',
  }),
  headerParam('X-Correlation-Id', 'correlation id; the command id when absent', { type: 'string' }),
  headerParam('X-Source-System', 'the system the change comes from; `api` when absent', { enum: [...SOURCE_SYSTEMS] }),
  headerParam('X-Source-Timestamp', "the source's own time of the change, ISO 8601 with an offset", {
    type: 'string',
    format: 'date-time',
  }),
];

/** The grant a command needs, as the gateway checks it (command-permission.ts). */
function permissionOf(context: string, name: string): string {
  const { action } = commandPermission(context, name, {});
  const role = `\`${requiredGrant(action, context)}\``;
  const byAliasContext = commandPermission(context, name, { context: ALIAS_CONTEXTS[0] }).contexts.length > 1;
  return byAliasContext ? `${role}, or that of the alias context the payload names (\`writer:frontend\`)` : role;
}

function commandOperation(context: string, name: string, schema: z.ZodType): Record<string, unknown> {
  return {
    post: {
      tags: [context],
      operationId: `${context}.${name}`,
      summary: `${context}.${name}`,
      parameters: commandHeaders,
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(schema) } } },
      responses: {
        '200': {
          description: 'accepted: the events are appended',
          headers: {
            ETag: { description: 'the stream version, quoted', schema: { type: 'string' } },
            'X-Consistency-Token': { description: 'the same as `consistencyToken`', schema: { type: 'string' } },
          },
          content: { 'application/json': { schema: ref('CommandAccepted') } },
        },
        '202': {
          description: 'no outcome within the reply timeout; poll the Location',
          headers: { Location: { description: '`/v1/commands/{commandId}`', schema: { type: 'string' } } },
          content: { 'application/json': { schema: ref('CommandPending') } },
        },
        '400': problem('`validation_failed` naming the field, `malformed_json`, `invalid_header`'),
        '409': problem('`version_conflict` (X-Expected-Version)'),
        '412': problem('`version_conflict` (If-Match)'),
        '413': problem('`body_too_large`'),
        '415': problem('`unsupported_media_type`: send application/json'),
        '422': problem("a domain rule said no: its `code`, with the rule's details; or `idempotency_key_reused`"),
        ...guardedResponses,
        '403': problem(
          `\`insufficient_permission\` naming \`missingPermission\`: ${permissionOf(context, name)}; \`foreign_tenant\`${context === 'aliases' ? '; `not_alias_owner`' : ''}`,
        ),
      },
    },
  };
}

const keyIdParam = { name: 'keyId', in: 'path', required: true, schema: { type: 'string' } };
const adminResponses = {
  '400': problem('`validation_failed` naming the field, `invalid_header`'),
  '415': problem('`unsupported_media_type`: send application/json'),
  ...guardedResponses,
  '403': problem(
    '`insufficient_permission`: `admin:access` is missing, or the key would hold a role the caller does not; `foreign_tenant`',
  ),
};
const newKeyResponses = (created: string) => ({
  '201': { description: created, content: { 'application/json': { schema: ref('NewApiKey') } } },
  '202': {
    description: 'no outcome within the reply timeout: the key works once the command is decided; poll the Location',
    content: { 'application/json': { schema: ref('NewApiKey') } },
  },
});

/** `/v1/admin/api-keys`: issue, list, rotate and revoke the tenant's API keys. */
function adminKeyPaths(): Record<string, unknown> {
  const tenantOnly = [tenantHeader];
  return {
    [ADMIN_KEYS_PATH]: {
      post: {
        tags: ['api-keys'],
        operationId: 'createApiKey',
        summary: 'Issue an API key: the key is in this answer only, a salted hash of it is kept',
        parameters: tenantOnly,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(createKeyBody) } } },
        responses: { ...newKeyResponses('issued'), ...adminResponses, '422': problem('`expiry_not_in_future`') },
      },
      get: {
        tags: ['api-keys'],
        operationId: 'listApiKeys',
        summary: "The tenant's API keys, never their hashes",
        parameters: tenantOnly,
        responses: {
          '200': {
            description: 'every key of the tenant, revoked and expired ones too',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['keys'],
                  properties: { keys: { type: 'array', items: ref('ApiKey') } },
                },
              },
            },
          },
          ...adminResponses,
        },
      },
    },
    [`${ADMIN_KEYS_PATH}/{keyId}/rotate`]: {
      post: {
        tags: ['api-keys'],
        operationId: 'rotateApiKey',
        summary: 'A new key with the same roles; the old one stays valid until it is revoked or expires',
        parameters: [keyIdParam, ...tenantOnly],
        requestBody: { required: false, content: { 'application/json': { schema: jsonSchemaOf(rotateKeyBody) } } },
        responses: {
          ...newKeyResponses('the new key'),
          ...adminResponses,
          '404': problem('`unknown_api_key`'),
          '422': problem('`api_key_revoked`, `api_key_expired`, `expiry_not_in_future`, `expiry_later_than_current`'),
        },
      },
    },
    [`${ADMIN_KEYS_PATH}/{keyId}/revoke`]: {
      post: {
        tags: ['api-keys'],
        operationId: 'revokeApiKey',
        summary: 'Refuse the key from now on, on every instance within 2 s',
        parameters: [keyIdParam, ...tenantOnly],
        responses: {
          '200': { description: 'revoked', content: { 'application/json': { schema: ref('ApiKey') } } },
          '202': {
            description: 'no outcome within the reply timeout; poll the Location',
            content: { 'application/json': { schema: ref('ApiKey') } },
          },
          ...adminResponses,
          '404': problem('`unknown_api_key`'),
          '422': problem('`api_key_revoked`'),
        },
      },
    },
  };
}

const subscriptionIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const subscriptionResponses = {
  '400': problem('`validation_failed` naming the field, `unknown_event_type`, `endpoint_refused`, `invalid_query`'),
  '415': problem('`unsupported_media_type`: send application/json'),
  ...guardedResponses,
  '403': problem('`insufficient_permission`: `admin:access` is missing'),
  '404': problem('`unknown_webhook_subscription`, `unknown_delivery`'),
  '422': problem('`webhook_subscription_disabled`, `webhook_subscription_enabled`, `stream_of_another_tenant`'),
  '503': problem('`secrets_key_missing`: the gateway has no VERITY_SECRETS_KEY to seal the secret with'),
};
const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});
const deliveryIdParam = { name: 'deliveryId', in: 'path', required: true, schema: { type: 'string' } };
const subscriptionOperation = (
  operationId: string,
  summary: string,
  parameters: readonly unknown[],
  answers: Record<string, unknown>,
  body?: z.ZodType,
) => ({
  tags: ['webhook-subscriptions'],
  operationId,
  summary,
  parameters: [...parameters, tenantHeader],
  ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(body) } } } } : {}),
  responses: { ...answers, ...subscriptionResponses },
});

/** `/v1/webhook-subscriptions`: outbound webhooks of the tenant and their delivery log. */
function webhookSubscriptionPaths(): Record<string, unknown> {
  const path = WEBHOOK_SUBSCRIPTIONS_PATH;
  return {
    [path]: {
      post: subscriptionOperation(
        'createWebhookSubscription',
        'Subscribe an endpoint to event types; a generated secret (whsec_...) is in this answer only',
        [],
        { '201': json('created'), '202': json('pending; poll the Location') },
        createSubscriptionBody,
      ),
      get: subscriptionOperation('listWebhookSubscriptions', "The tenant's subscriptions, never their secrets", [], {
        '200': json('{subscriptions: [...]}'),
      }),
    },
    [`${path}/{id}`]: {
      get: subscriptionOperation('getWebhookSubscription', 'One subscription', [subscriptionIdParam], {
        '200': json('the subscription'),
      }),
      delete: subscriptionOperation('deleteWebhookSubscription', 'Deliver nothing more to it', [subscriptionIdParam], {
        '204': { description: 'deleted' },
        '202': json('pending'),
      }),
    },
    [`${path}/{id}/rotate`]: {
      post: {
        ...subscriptionOperation(
          'rotateWebhookSecret',
          'Sign with a new secret from now on, and with the previous one too for overlapSeconds (default VERITY_WEBHOOKS_ROTATION_OVERLAP_SECONDS, 24 h; 0 = none); a generated secret is shown once',
          [subscriptionIdParam],
          {
            '200': json('the subscription (previousSecretUntil while the previous secret signs) and its new secret'),
          },
        ),
        requestBody: {
          required: false,
          content: { 'application/json': { schema: jsonSchemaOf(rotateSubscriptionBody) } },
        },
      },
    },
    [`${path}/{id}/enable`]: {
      post: subscriptionOperation(
        'enableWebhookSubscription',
        'Deliver again, starting with what was held',
        [subscriptionIdParam],
        {
          '200': json('the subscription'),
        },
      ),
    },
    [`${path}/{id}/disable`]: {
      post: subscriptionOperation(
        'disableWebhookSubscription',
        'Hold deliveries until enabled',
        [subscriptionIdParam],
        {
          '200': json('the subscription'),
        },
      ),
    },
    [`${path}/{id}/deliveries`]: {
      get: {
        ...subscriptionOperation(
          'listWebhookDeliveries',
          'The delivery log, newest first: status, attempts, last error, next attempt',
          [subscriptionIdParam],
          {
            '200': json('{deliveries: [...], next?}'),
          },
        ),
      },
    },
    [`${path}/{id}/deliveries/{deliveryId}/redeliver`]: {
      post: subscriptionOperation(
        'redeliverWebhook',
        'Queue a delivery again, same webhook-id, behind what its stream has pending',
        [subscriptionIdParam, deliveryIdParam],
        {
          '202': json('the new delivery'),
        },
      ),
    },
  };
}

/**
 * The command API's OpenAPI 3.1 document, generated from the command catalogue: one path per
 * `<context>.<Command>` with the command's zod payload schema as its request body.
 */
export function buildGatewayOpenApi(
  contexts: readonly ContextDefinition[],
  version = '0.1.0',
): Record<string, unknown> {
  const commandPaths: Record<string, unknown> = {};
  for (const context of contexts) {
    for (const [name, definition] of Object.entries(context.commands)) {
      commandPaths[`/v1/commands/${context.name}.${name}`] = commandOperation(context.name, name, definition.schema);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Verity command API (gateway)',
      version,
      description:
        'Commands are validated, appended to `verity.<context>.commands` and answered with their outcome. Errors are RFC 7807 problem+json with a machine-readable `code`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      ...contexts.map((c) => ({ name: c.name })),
      { name: 'commands' },
      { name: 'api-keys', description: 'API keys of the caller’s tenant: `admin` or `admin:access`' },
      {
        name: 'webhook-subscriptions',
        description: 'Outbound webhooks of the caller’s tenant: `admin` or `admin:access`',
      },
      { name: 'operations' },
    ],
    paths: {
      ...commandPaths,
      '/v1/commands/{commandId}': {
        get: {
          tags: ['commands'],
          operationId: 'getCommand',
          summary: "A command's outcome, or `pending`; only the tenant's own commands",
          parameters: [{ name: 'commandId', in: 'path', required: true, schema: { type: 'string' } }, tenantHeader],
          responses: {
            '200': { description: 'the outcome', content: { 'application/json': { schema: ref('CommandOutcome') } } },
            '400': problem('`invalid_header`'),
            '404': problem('`unknown_command`'),
            ...guardedResponses,
          },
        },
      },
      '/v1/imports/{type}': {
        post: {
          tags: ['commands'],
          operationId: 'importRows',
          summary:
            'A CSV or NDJSON body (at most 1 MiB), each row a `<context>.<Command>` payload sent through the same path as POST /v1/commands; ids `import:<file id>:<row>`, so posting the same body again appends nothing',
          parameters: [
            {
              name: 'type',
              in: 'path',
              required: true,
              description: '`<context>.<Command>`',
              schema: { type: 'string' },
            },
            tenantHeader,
          ],
          requestBody: {
            required: true,
            content: Object.fromEntries(IMPORT_MEDIA_TYPES.map((media) => [media, { schema: { type: 'string' } }])),
          },
          responses: {
            '200': {
              description: 'the counts (imported, repeated, rejected, invalid) and every refused row with its problem',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '400': problem('`unreadable_file`: the CSV or NDJSON cannot be read; nothing was sent'),
            '404': problem('`unknown_command_type`'),
            '413': problem('`body_too_large`: over 1 MiB; use `verity import`'),
            '415': problem(`\`unsupported_media_type\`: send one of ${IMPORT_MEDIA_TYPES.join(', ')}`),
            ...guardedResponses,
          },
        },
      },
      ...adminKeyPaths(),
      ...webhookSubscriptionPaths(),
      ...probePaths('gateway'),
    },
    components: { schemas: gatewaySchemas, securitySchemes },
    security: [{ bearer: [] }, { apiKey: [] }],
  };
}
