import { z } from 'zod';
import { DomainRejection, parseStreamId, type DomainCommand, type DomainEvent } from '@verity/core';
import type {
  WebhookSubscriptionCreated as CreatedPayload,
  WebhookSubscriptionDeleted as DeletedPayload,
  WebhookSubscriptionDisabled as DisabledPayload,
  WebhookSubscriptionEnabled as EnabledPayload,
  WebhookSubscriptionSecretRotated as RotatedPayload,
  WebhookSubscriptionSecretOverlapEnded as OverlapEndedPayload,
} from '@verity/core';

/** The public id of an outbound webhook subscription: `whs_` and 16 characters of base32; also its stream's id. */
export const webhookSubscriptionIdSchema = z
  .string()
  .regex(/^whs_[a-z2-7]{16}$/, 'subscription id: whs_ and 16 characters of a-z and 2-7');

/** One event type (`verity.<ctx>.<Name>`) or every event of a context (`verity.<ctx>.*`). */
export const eventTypePatternSchema = z
  .string()
  .regex(/^verity\.[a-z][a-z0-9-]*\.([A-Z][A-Za-z0-9]*|\*)$/, 'verity.<context>.<EventName> or verity.<context>.*');

const base64url = (bytes: string) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${bytes}}$`), 'base64url');

/** The signing secret sealed with AES-256-GCM under `VERITY_SECRETS_KEY`, bound to `<tenant>/<subscriptionId>`. */
const sealedSecretSchema = z.strictObject({
  kek: z.string().regex(/^[0-9a-f]{16}$/, 'kek: 8 bytes, hex'),
  iv: base64url('16'),
  ciphertext: base64url('1,700'),
  tag: base64url('22'),
});
type SealedSecret = z.infer<typeof sealedSecretSchema>;

export const createWebhookSubscriptionSchema = z.strictObject({
  subscriptionId: webhookSubscriptionIdSchema,
  url: z.url({ protocol: /^https?$/ }).max(2000),
  eventTypes: z
    .array(eventTypePatternSchema)
    .min(1, 'at least one event type')
    .max(100)
    .transform((types) => [...new Set(types)]),
  /** Only this stream's events; a stream of the tenant (checked by the decider against the command's tenant). */
  streamId: z.string().min(3).max(300).optional(),
  sealed: sealedSecretSchema,
});
export type CreateWebhookSubscriptionData = z.infer<typeof createWebhookSubscriptionSchema>;

/** The longest a previous secret may keep signing after a rotation: 30 days. */
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 86_400;

export const rotateWebhookSubscriptionSecretSchema = z.strictObject({
  subscriptionId: webhookSubscriptionIdSchema,
  sealed: sealedSecretSchema,
  /** How long the previous secret signs beside the new one, so receivers switch without a refused delivery; 0 = not at all. */
  overlapSeconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).default(0),
});
export type RotateWebhookSubscriptionSecretData = z.infer<typeof rotateWebhookSubscriptionSecretSchema>;

/** Drops the previous secret once the overlap of `until` is over (the dispatcher asks, at that instant). */
export const endWebhookSubscriptionSecretOverlapSchema = z.strictObject({
  subscriptionId: webhookSubscriptionIdSchema,
  until: z.iso.datetime(),
});
export type EndWebhookSubscriptionSecretOverlapData = z.infer<typeof endWebhookSubscriptionSecretOverlapSchema>;

export const DISABLE_REASONS = ['consecutive_failures', 'requested'] as const;
export const disableWebhookSubscriptionSchema = z.strictObject({
  subscriptionId: webhookSubscriptionIdSchema,
  reason: z.enum(DISABLE_REASONS),
  failures: z.number().int().min(0).default(0),
});
export type DisableWebhookSubscriptionData = z.infer<typeof disableWebhookSubscriptionSchema>;

export const subscriptionIdOnlySchema = z.strictObject({ subscriptionId: webhookSubscriptionIdSchema });
export type SubscriptionIdOnly = z.infer<typeof subscriptionIdOnlySchema>;

export type WebhookSubscriptionCommand =
  | DomainCommand<'CreateWebhookSubscription', CreateWebhookSubscriptionData>
  | DomainCommand<'RotateWebhookSubscriptionSecret', RotateWebhookSubscriptionSecretData>
  | DomainCommand<'EndWebhookSubscriptionSecretOverlap', EndWebhookSubscriptionSecretOverlapData>
  | DomainCommand<'DisableWebhookSubscription', DisableWebhookSubscriptionData>
  | DomainCommand<'EnableWebhookSubscription', SubscriptionIdOnly>
  | DomainCommand<'DeleteWebhookSubscription', SubscriptionIdOnly>;

export type WebhookSubscriptionCreated = DomainEvent<'WebhookSubscriptionCreated', CreatedPayload>;
export type WebhookSubscriptionSecretRotated = DomainEvent<'WebhookSubscriptionSecretRotated', RotatedPayload>;
export type WebhookSubscriptionSecretOverlapEnded = DomainEvent<
  'WebhookSubscriptionSecretOverlapEnded',
  OverlapEndedPayload
>;
export type WebhookSubscriptionDisabled = DomainEvent<'WebhookSubscriptionDisabled', DisabledPayload>;
export type WebhookSubscriptionEnabled = DomainEvent<'WebhookSubscriptionEnabled', EnabledPayload>;
export type WebhookSubscriptionDeleted = DomainEvent<'WebhookSubscriptionDeleted', DeletedPayload>;
export type WebhookSubscriptionEvent =
  | WebhookSubscriptionCreated
  | WebhookSubscriptionSecretRotated
  | WebhookSubscriptionSecretOverlapEnded
  | WebhookSubscriptionDisabled
  | WebhookSubscriptionEnabled
  | WebhookSubscriptionDeleted;

export const WEBHOOK_SUBSCRIPTION_EVENTS = [
  'WebhookSubscriptionCreated',
  'WebhookSubscriptionSecretRotated',
  'WebhookSubscriptionSecretOverlapEnded',
  'WebhookSubscriptionDisabled',
  'WebhookSubscriptionEnabled',
  'WebhookSubscriptionDeleted',
] as const satisfies readonly WebhookSubscriptionEvent['type'][];

/** A subscription as its stream's state holds it. A deleted one is kept, marked, so its id is never reused. */
export interface WebhookSubscriptionState {
  subscriptionId: string;
  url: string;
  eventTypes: string[];
  streamId: string | null;
  createdAt: string;
  sealed: SealedSecret;
  /**
   * The secret before the last rotation, still signing beside `sealed` until `until` (absent in
   * states written before rotations could overlap).
   */
  previous?: { sealed: SealedSecret; until: string } | null;
  disabledAt: string | null;
  disabledReason: string | null;
  deletedAt: string | null;
}

function live(state: WebhookSubscriptionState | undefined, subscriptionId: string): WebhookSubscriptionState {
  if (!state || state.deletedAt !== null)
    throw new DomainRejection('unknown_webhook_subscription', `no webhook subscription ${subscriptionId}`, {
      subscriptionId,
    });
  return state;
}

export function decideWebhookSubscription(
  command: WebhookSubscriptionCommand,
  state: WebhookSubscriptionState | undefined,
): WebhookSubscriptionEvent[] {
  const { now, tenant } = command.metadata;
  const at = now.toISOString();
  const { subscriptionId } = command.data;
  switch (command.type) {
    case 'CreateWebhookSubscription': {
      if (state)
        throw new DomainRejection('webhook_subscription_exists', `webhook subscription ${subscriptionId} exists`, {
          subscriptionId,
        });
      const { url, eventTypes, streamId, sealed } = command.data;
      // A tenant subscribes to its own streams only: the filter cannot reach another tenant's.
      if (streamId !== undefined && parseStreamId(streamId)?.tenant !== tenant)
        throw new DomainRejection('stream_of_another_tenant', `stream ${streamId} is not a stream of ${tenant}`, {
          streamId,
        });
      return [
        {
          type: 'WebhookSubscriptionCreated',
          data: { subscriptionId, url, eventTypes, streamId: streamId ?? null, createdAt: at, sealed: { ...sealed } },
        },
      ];
    }
    case 'RotateWebhookSubscriptionSecret': {
      live(state, subscriptionId);
      const { sealed, overlapSeconds } = command.data;
      const previousUntil = overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000).toISOString() : null;
      return [
        {
          type: 'WebhookSubscriptionSecretRotated',
          data: { subscriptionId, rotatedAt: at, sealed: { ...sealed }, previousUntil },
        },
      ];
    }
    case 'EndWebhookSubscriptionSecretOverlap': {
      // Only the overlap it names, and not before its end: a late request cannot cut a later rotation's short.
      const { until } = command.data;
      const previous = live(state, subscriptionId).previous;
      if (!previous || Date.parse(previous.until) !== Date.parse(until) || now.getTime() < Date.parse(until))
        throw new DomainRejection(
          'no_secret_overlap_to_end',
          `webhook subscription ${subscriptionId} has no overlap ending ${until}`,
          {
            subscriptionId,
            until,
          },
        );
      return [
        { type: 'WebhookSubscriptionSecretOverlapEnded', data: { subscriptionId, until: previous.until, endedAt: at } },
      ];
    }
    case 'DisableWebhookSubscription': {
      if (live(state, subscriptionId).disabledAt !== null)
        throw new DomainRejection(
          'webhook_subscription_disabled',
          `webhook subscription ${subscriptionId} is disabled`,
          {
            subscriptionId,
          },
        );
      const { reason, failures } = command.data;
      return [{ type: 'WebhookSubscriptionDisabled', data: { subscriptionId, disabledAt: at, reason, failures } }];
    }
    case 'EnableWebhookSubscription':
      if (live(state, subscriptionId).disabledAt === null)
        throw new DomainRejection('webhook_subscription_enabled', `webhook subscription ${subscriptionId} is enabled`, {
          subscriptionId,
        });
      return [{ type: 'WebhookSubscriptionEnabled', data: { subscriptionId, enabledAt: at } }];
    case 'DeleteWebhookSubscription':
      live(state, subscriptionId);
      return [{ type: 'WebhookSubscriptionDeleted', data: { subscriptionId, deletedAt: at } }];
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown access command ${String((unknownCommand as WebhookSubscriptionCommand).type)}`,
      );
    }
  }
}

export function evolveWebhookSubscription(
  state: WebhookSubscriptionState | undefined,
  event: WebhookSubscriptionEvent,
): WebhookSubscriptionState | undefined {
  if (event.type === 'WebhookSubscriptionCreated') {
    const { subscriptionId, url, eventTypes, streamId, createdAt, sealed } = event.data;
    return {
      subscriptionId,
      url,
      eventTypes: [...eventTypes],
      streamId,
      createdAt,
      sealed: { ...sealed },
      disabledAt: null,
      disabledReason: null,
      deletedAt: null,
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'WebhookSubscriptionSecretRotated': {
      // The secret being replaced is the one that keeps signing: it is in the state already, sealed.
      const { previousUntil } = event.data;
      return {
        ...state,
        sealed: { ...event.data.sealed },
        previous: previousUntil === null ? null : { sealed: { ...state.sealed }, until: previousUntil },
      };
    }
    case 'WebhookSubscriptionSecretOverlapEnded':
      return { ...state, previous: null };
    case 'WebhookSubscriptionDisabled':
      return { ...state, disabledAt: event.data.disabledAt, disabledReason: event.data.reason };
    case 'WebhookSubscriptionEnabled':
      return { ...state, disabledAt: null, disabledReason: null };
    case 'WebhookSubscriptionDeleted':
      return { ...state, deletedAt: event.data.deletedAt };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown webhook subscription event ${String((unknownEvent as WebhookSubscriptionEvent).type)}`);
    }
  }
}

/** One live subscription as the dispatcher and the admin API see it: the secret still sealed. */
export interface WebhookSubscriptionView {
  subscriptionId: string;
  tenant: string;
  url: string;
  eventTypes: string[];
  streamId?: string;
  createdAt: string;
  enabled: boolean;
  disabledAt?: string;
  disabledReason?: string;
  sealed: SealedSecret;
  /** The previous secret, sealed, and until when it also signs; past that instant it is not used. */
  previous?: { sealed: SealedSecret; until: string };
}

/** The subscription of an access stream's snapshot, unless it was deleted; none for other access streams. */
export function webhookSubscriptionsOf(streamId: string, state: unknown): WebhookSubscriptionView[] {
  const held = (state as { webhookSubscription?: WebhookSubscriptionState }).webhookSubscription;
  const stream = parseStreamId(streamId);
  if (!stream || !held || held.deletedAt !== null) return [];
  return [
    {
      subscriptionId: held.subscriptionId,
      tenant: stream.tenant,
      url: held.url,
      eventTypes: [...held.eventTypes],
      ...(held.streamId === null ? {} : { streamId: held.streamId }),
      createdAt: held.createdAt,
      enabled: held.disabledAt === null,
      ...(held.disabledAt === null ? {} : { disabledAt: held.disabledAt }),
      ...(held.disabledReason === null ? {} : { disabledReason: held.disabledReason }),
      sealed: { ...held.sealed },
      ...(held.previous ? { previous: { sealed: { ...held.previous.sealed }, until: held.previous.until } } : {}),
    },
  ];
}

/** Where a subscription's secret is sealed: the additional data that binds it to its tenant and id. */
export const subscriptionSecretPlace = (tenant: string, subscriptionId: string): string =>
  `${tenant}/${subscriptionId}`;

/** What matching needs of an event: its full type, its stream, its tenant and when it happened. */
export interface MatchableEvent {
  type: string;
  streamId: string;
  tenant: string;
  time: string;
}

/**
 * Whether `event` goes to `subscription`: the same tenant, a type it names (or its context's
 * `.*`), its stream if it names one, and not older than the subscription (a new subscription
 * gets what happens from then on, not the history: replay is for that).
 */
export function subscriptionMatches(
  subscription: Pick<WebhookSubscriptionView, 'tenant' | 'eventTypes' | 'streamId' | 'createdAt'>,
  event: MatchableEvent,
): boolean {
  if (subscription.tenant !== event.tenant) return false;
  if (subscription.streamId !== undefined && subscription.streamId !== event.streamId) return false;
  if (Date.parse(event.time) < Date.parse(subscription.createdAt)) return false;
  const context = event.type.slice(0, event.type.lastIndexOf('.'));
  return subscription.eventTypes.some((pattern) => pattern === event.type || pattern === `${context}.*`);
}
