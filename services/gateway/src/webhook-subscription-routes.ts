import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { sealText, type ContextDefinition, type SecretsKey } from '@verity/core';
import {
  checkEndpoint,
  EndpointRefusedError,
  listDeliveries,
  newSubscriptionId,
  newSubscriptionSecret,
  redeliver,
  subscriptionSecretSchema,
  unknownEventTypes,
  type EndpointPolicy,
  type SubscriptionDirectory,
} from '@verity/connector-outbound';
import { MAX_ROTATION_OVERLAP_SECONDS, subscriptionSecretPlace, type WebhookSubscriptionView } from '@verity/domain';
import type { Logger } from '@verity/events';
import { HttpProblem, requirePermission, tenantOf } from '@verity/service-kit';
import { bodyOf, pending, sendAccessCommand } from './admin-key-routes';
import type { CommandDispatch } from './command-dispatch';

export const WEBHOOK_SUBSCRIPTIONS_PATH = '/v1/webhook-subscriptions';

export interface WebhookSubscriptionRoutesOptions extends CommandDispatch {
  /** The catalogue holding the `access` context and the contexts whose events may be subscribed to. */
  contexts: readonly ContextDefinition[];
  guard: RequestHandler;
  /** The subscriptions, read from the access state topic (their secrets stay sealed here). */
  directory: SubscriptionDirectory;
  /** Seals new secrets; without it, creating or rotating answers 503. */
  kek: SecretsKey | undefined;
  /** Seconds the previous secret signs beside the new one after a rotation that does not say. */
  rotationOverlapSeconds: number;
  policy: EndpointPolicy;
  /** Where the dispatcher keeps its deliveries. */
  db: Knex;
  schema: string;
  logger: Logger;
}

/** What `POST /v1/webhook-subscriptions` takes. */
export const createSubscriptionBody = z.strictObject({
  url: z.string().max(2000),
  eventTypes: z.array(z.string()).min(1).max(100),
  streamId: z.string().min(3).max(300).optional(),
  secret: subscriptionSecretSchema.optional(),
});
export const rotateSubscriptionBody = z.strictObject({
  secret: subscriptionSecretSchema.optional(),
  overlapSeconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).optional(),
});
const emptyBody = z.strictObject({});
const deliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'a delivery id')
    .optional(),
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
});

/**
 * A subscription as the API shows it: never its secrets, sealed or not; while it keeps a previous
 * one, until when that signs too (the dispatcher drops it once that instant has passed).
 */
const publicSubscription = ({ sealed: _sealed, previous, ...subscription }: WebhookSubscriptionView) => ({
  id: subscription.subscriptionId,
  ...subscription,
  ...(previous ? { previousSecretUntil: previous.until } : {}),
});

const badRequest = (code: string, title: string, detail: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem(400, code, title, detail, extra);

/**
 * Outbound webhook subscriptions of the credential's tenant (`admin` of the `access` context:
 * a subscription sends the tenant's data out): create, list, show, rotate the secret, disable,
 * enable, delete, and each one's delivery log with redelivery. Changes are access commands; a
 * secret is shown once, in the answer that makes it.
 */
export function mountWebhookSubscriptionRoutes(app: Express, options: WebhookSubscriptionRoutesOptions): void {
  const { directory } = options;
  const guard = [options.guard, requirePermission('admin', 'access'), express.json({ limit: '64kb', strict: true })];
  const send = (req: Request, tenant: string, command: string, input: Record<string, unknown>) =>
    sendAccessCommand(options, req, tenant, command, input, () => directory.catchUp(options.replyTimeoutMs));

  const requireKek = (): SecretsKey => {
    if (options.kek) return options.kek;
    throw new HttpProblem(
      503,
      'secrets_key_missing',
      'Secrets key missing',
      'this gateway has no VERITY_SECRETS_KEY to seal webhook secrets with',
    );
  };

  /** No subscription of that id in the caller's tenant: another tenant's is as unknown as a missing one. */
  const subscriptionOf = (req: Request, tenant: string): WebhookSubscriptionView => {
    const id = String(req.params.id);
    const subscription = directory.get(id);
    if (!subscription || subscription.tenant !== tenant)
      throw new HttpProblem(
        404,
        'unknown_webhook_subscription',
        'Unknown webhook subscription',
        `no subscription ${id}`,
        {
          subscriptionId: id,
        },
      );
    return subscription;
  };

  const shown = (id: string, fallback: Record<string, unknown>) => {
    const subscription = directory.get(id);
    return subscription ? publicSubscription(subscription) : { id, subscriptionId: id, ...fallback };
  };

  app.post(WEBHOOK_SUBSCRIPTIONS_PATH, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const body = bodyOf(req, createSubscriptionBody);
    const unknown = unknownEventTypes(options.contexts, body.eventTypes);
    if (unknown.length > 0)
      throw badRequest(
        'unknown_event_type',
        'Unknown event type',
        `no event type ${unknown.join(', ')}: name verity.<context>.<Event> or verity.<context>.* (access events are not delivered)`,
        { eventTypes: unknown },
      );
    await checkEndpoint(body.url, options.policy).catch((error: unknown) => {
      if (error instanceof EndpointRefusedError)
        throw badRequest('endpoint_refused', 'Endpoint refused', error.message, {
          url: body.url,
          reason: error.reason,
        });
      throw error;
    });
    const kek = requireKek();
    const subscriptionId = newSubscriptionId();
    const secret = body.secret ?? newSubscriptionSecret();
    const { commandId, reply } = await send(req, tenant, 'CreateWebhookSubscription', {
      subscriptionId,
      url: body.url,
      eventTypes: body.eventTypes,
      ...(body.streamId === undefined ? {} : { streamId: body.streamId }),
      sealed: sealText(kek, secret, subscriptionSecretPlace(tenant, subscriptionId)),
    });
    const answer = {
      ...shown(subscriptionId, { tenant, url: body.url, eventTypes: body.eventTypes }),
      // Shown once, here, only when Verity made it: the caller already holds a secret it gave.
      ...(body.secret === undefined ? { secret } : {}),
    };
    if (!reply) return pending(res, commandId, answer);
    res
      .status(201)
      .location(`${WEBHOOK_SUBSCRIPTIONS_PATH}/${subscriptionId}`)
      .json({ ...answer, commandId });
  });

  app.get(WEBHOOK_SUBSCRIPTIONS_PATH, ...guard, (req, res) => {
    const tenant = tenantOf(req);
    const subscriptions = directory
      .list()
      .filter((s) => s.tenant === tenant)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.subscriptionId.localeCompare(b.subscriptionId))
      .map(publicSubscription);
    res.json({ subscriptions });
  });

  app.get(`${WEBHOOK_SUBSCRIPTIONS_PATH}/:id`, ...guard, (req, res) => {
    res.json(publicSubscription(subscriptionOf(req, tenantOf(req))));
  });

  app.delete(`${WEBHOOK_SUBSCRIPTIONS_PATH}/:id`, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const { subscriptionId } = subscriptionOf(req, tenant);
    const { commandId, reply } = await send(req, tenant, 'DeleteWebhookSubscription', { subscriptionId });
    if (!reply) return pending(res, commandId, { id: subscriptionId, subscriptionId });
    res.status(204).end();
  });

  app.post(`${WEBHOOK_SUBSCRIPTIONS_PATH}/:id/rotate`, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const body = bodyOf(req, rotateSubscriptionBody);
    const { subscriptionId } = subscriptionOf(req, tenant);
    const kek = requireKek();
    const secret = body.secret ?? newSubscriptionSecret();
    const { commandId, reply } = await send(req, tenant, 'RotateWebhookSubscriptionSecret', {
      subscriptionId,
      sealed: sealText(kek, secret, subscriptionSecretPlace(tenant, subscriptionId)),
      overlapSeconds: body.overlapSeconds ?? options.rotationOverlapSeconds,
    });
    const answer = { ...shown(subscriptionId, {}), ...(body.secret === undefined ? { secret } : {}) };
    if (!reply) return pending(res, commandId, answer);
    res.json({ ...answer, commandId });
  });

  for (const [action, command, extra] of [
    ['enable', 'EnableWebhookSubscription', {}],
    ['disable', 'DisableWebhookSubscription', { reason: 'requested' }],
  ] as const)
    app.post(`${WEBHOOK_SUBSCRIPTIONS_PATH}/:id/${action}`, ...guard, async (req, res) => {
      const tenant = tenantOf(req);
      bodyOf(req, emptyBody);
      const { subscriptionId } = subscriptionOf(req, tenant);
      const { commandId, reply } = await send(req, tenant, command, { subscriptionId, ...extra });
      const answer = shown(subscriptionId, {});
      if (!reply) return pending(res, commandId, answer);
      res.json({ ...answer, commandId });
    });

  app.get(`${WEBHOOK_SUBSCRIPTIONS_PATH}/:id/deliveries`, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const { subscriptionId } = subscriptionOf(req, tenant);
    const query = deliveriesQuery.safeParse(req.query);
    if (!query.success)
      throw badRequest(
        'invalid_query',
        'Invalid query',
        query.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
      );
    const { limit, before, status } = query.data;
    const deliveries = await listDeliveries(options.db, options.schema, subscriptionId, {
      limit,
      ...(before === undefined ? {} : { before }),
      ...(status === undefined ? {} : { status }),
    });
    const last = deliveries.at(-1);
    res.json({
      deliveries,
      ...(deliveries.length === limit && last ? { next: `?limit=${limit}&before=${last.deliveryId}` } : {}),
    });
  });

  app.post(`${WEBHOOK_SUBSCRIPTIONS_PATH}/:id/deliveries/:deliveryId/redeliver`, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    bodyOf(req, emptyBody);
    const { subscriptionId } = subscriptionOf(req, tenant);
    const deliveryId = String(req.params.deliveryId);
    const queued = /^\d{1,18}$/.test(deliveryId)
      ? await redeliver(options.db, options.schema, subscriptionId, deliveryId)
      : undefined;
    if (!queued)
      throw new HttpProblem(
        404,
        'unknown_delivery',
        'Unknown delivery',
        `no delivery ${deliveryId} of ${subscriptionId}`,
        {
          deliveryId,
        },
      );
    res.status(202).json(queued);
  });
}
