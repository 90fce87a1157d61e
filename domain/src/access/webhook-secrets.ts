import { z } from 'zod';
import { DomainRejection, parseStreamId, type DomainCommand, type DomainEvent } from '@verity/core';
import type {
  WebhookSecretAdded as WebhookSecretAddedPayload,
  WebhookSecretRemoved as WebhookSecretRemovedPayload,
} from '@verity/core';

/** The source systems that deliver webhooks to `POST /webhooks/<source>/<topic>`. */
export const WEBHOOK_SOURCES = ['netsuite', 'shopify', 'sap-b1', 'dynamics-365'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/** The public id of a webhook secret: `whk_` and 16 characters of base32. */
export const webhookSecretIdSchema = z
  .string()
  .regex(/^whk_[a-z2-7]{16}$/, 'secret id: whk_ and 16 characters of a-z and 2-7');

/** The aggregate of a tenant's secrets for one source: stream `<tenant>/webhooks-<source>`. */
export const webhookSecretsAggregateId = (source: string): string => `webhooks-${source}`;

const base64url = (bytes: string) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${bytes}}$`), 'base64url');

/**
 * A secret sealed with AES-256-GCM under the key-encryption key (`VERITY_SECRETS_KEY`): the
 * commands and events carry this, never the secret, so the log holds nothing a reader of it
 * can sign with.
 */
const sealedSecretSchema = z.strictObject({
  kek: z.string().regex(/^[0-9a-f]{16}$/, 'kek: 8 bytes, hex'),
  iv: base64url('16'),
  ciphertext: base64url('1,700'),
  tag: base64url('22'),
});

/** ISO 8601 with an offset, kept in UTC (`...Z`). */
const instant = z.iso.datetime({ offset: true }).transform((at) => new Date(at).toISOString());

/** A shop's own domain as Shopify sends it in `X-Shopify-Shop-Domain`, e.g. `acme.myshopify.com`. */
export const shopDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/, 'a host name such as acme.myshopify.com')
  .max(255);

export const addWebhookSecretSchema = z.strictObject({
  source: z.enum(WEBHOOK_SOURCES),
  secretId: webhookSecretIdSchema,
  sealed: sealedSecretSchema,
  shopDomain: shopDomainSchema.optional(),
  expiresAt: instant.optional(),
});
export type AddWebhookSecretData = z.infer<typeof addWebhookSecretSchema>;

export const removeWebhookSecretSchema = z.strictObject({
  source: z.enum(WEBHOOK_SOURCES),
  secretId: webhookSecretIdSchema,
});
export type RemoveWebhookSecretData = z.infer<typeof removeWebhookSecretSchema>;

export type WebhookSecretCommand =
  | DomainCommand<'AddWebhookSecret', AddWebhookSecretData>
  | DomainCommand<'RemoveWebhookSecret', RemoveWebhookSecretData>;

export type WebhookSecretAdded = DomainEvent<'WebhookSecretAdded', WebhookSecretAddedPayload>;
export type WebhookSecretRemoved = DomainEvent<'WebhookSecretRemoved', WebhookSecretRemovedPayload>;
export type WebhookSecretEvent = WebhookSecretAdded | WebhookSecretRemoved;

/** One secret of a source, as the state holds it (sealed). A removed secret is dropped. */
export interface WebhookSecretState {
  secretId: string;
  addedAt: string;
  expiresAt: string | null;
  shopDomain: string | null;
  sealed: { kek: string; iv: string; ciphertext: string; tag: string };
}

/** The secrets a tenant holds for one source, in the order added. */
export interface WebhookSecretsState {
  source: string;
  secrets: WebhookSecretState[];
}

export function addWebhookSecret(
  data: AddWebhookSecretData,
  state: WebhookSecretsState | undefined,
  now: Date,
): WebhookSecretAdded[] {
  if (state?.secrets.some((s) => s.secretId === data.secretId))
    throw new DomainRejection('webhook_secret_exists', `webhook secret ${data.secretId} exists`, {
      secretId: data.secretId,
    });
  if (data.shopDomain !== undefined && data.source !== 'shopify')
    throw new DomainRejection(
      'shop_domain_not_shopify',
      `a shop domain names a Shopify shop, not a ${data.source} one`,
      {
        source: data.source,
      },
    );
  if (data.expiresAt !== undefined && Date.parse(data.expiresAt) <= now.getTime())
    throw new DomainRejection('expiry_not_in_future', `expiry ${data.expiresAt} is not in the future`, {
      expiresAt: data.expiresAt,
    });
  return [
    {
      type: 'WebhookSecretAdded',
      data: {
        secretId: data.secretId,
        source: data.source,
        addedAt: now.toISOString(),
        expiresAt: data.expiresAt ?? null,
        shopDomain: data.shopDomain ?? null,
        sealed: { ...data.sealed },
      },
    },
  ];
}

export function removeWebhookSecret(
  data: RemoveWebhookSecretData,
  state: WebhookSecretsState | undefined,
  now: Date,
): WebhookSecretRemoved[] {
  if (!state?.secrets.some((s) => s.secretId === data.secretId))
    throw new DomainRejection('unknown_webhook_secret', `no webhook secret ${data.secretId} for ${data.source}`, {
      secretId: data.secretId,
    });
  return [{ type: 'WebhookSecretRemoved', data: { secretId: data.secretId, removedAt: now.toISOString() } }];
}

export function evolveWebhookSecrets(
  state: WebhookSecretsState | undefined,
  event: WebhookSecretEvent,
): WebhookSecretsState {
  switch (event.type) {
    case 'WebhookSecretAdded': {
      const { secretId, source, addedAt, expiresAt, shopDomain, sealed } = event.data;
      return {
        source,
        secrets: [...(state?.secrets ?? []), { secretId, addedAt, expiresAt, shopDomain, sealed: { ...sealed } }],
      };
    }
    case 'WebhookSecretRemoved':
      return {
        source: state?.source ?? '',
        secrets: (state?.secrets ?? []).filter((s) => s.secretId !== event.data.secretId),
      };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown webhook secret event ${String((unknownEvent as WebhookSecretEvent).type)}`);
    }
  }
}

/** One secret as an ingestor or `verity webhooks secret list` sees it: still sealed. */
export interface WebhookSecretView {
  secretId: string;
  tenant: string;
  source: string;
  addedAt: string;
  expiresAt?: string;
  shopDomain?: string;
  sealed: { kek: string; iv: string; ciphertext: string; tag: string };
}

/** The webhook secrets of an access stream's snapshot; none for a key family's stream. */
export function webhookSecretsOf(streamId: string, state: unknown): WebhookSecretView[] {
  const held = (state as { webhookSecrets?: WebhookSecretsState }).webhookSecrets;
  const stream = parseStreamId(streamId);
  if (!stream || !held) return [];
  return held.secrets.map((s) => ({
    secretId: s.secretId,
    tenant: stream.tenant,
    source: held.source,
    addedAt: s.addedAt,
    ...(s.expiresAt === null ? {} : { expiresAt: s.expiresAt }),
    ...(s.shopDomain === null ? {} : { shopDomain: s.shopDomain }),
    sealed: { ...s.sealed },
  }));
}
