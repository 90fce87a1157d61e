import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookSecretKey } from './webhook-secret';

/** A secret opened for checking signatures: its key, and the Standard Webhooks verifier built once. */
export interface OpenedSecret {
  secretId: string;
  tenant: string;
  key: Buffer;
  standard: Webhook;
}

export function openedSecret(secretId: string, tenant: string, secret: string): OpenedSecret {
  const key = webhookSecretKey(secret);
  return { secretId, tenant, key, standard: new Webhook(key.toString('base64')) };
}

/** Why a delivery was not authenticated: said in the 401, never which secret was tried. */
export type SignatureFailure =
  'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'no_secret' | 'missing_delivery_id';

export type Verified = { ok: true; secret: OpenedSecret } | { ok: false; reason: SignatureFailure };

const shopifyHmac = (key: Buffer, raw: Buffer): Buffer => createHmac('sha256', key).update(raw).digest();

/**
 * Shopify's scheme: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body. Every
 * secret that may hold is tried (two during a rotation), each in constant time.
 */
export function verifyShopify(raw: Buffer, signature: string | undefined, secrets: readonly OpenedSecret[]): Verified {
  if (!signature) return { ok: false, reason: 'missing_signature' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const given = Buffer.from(signature, 'base64');
  for (const secret of secrets) {
    const expected = shopifyHmac(secret.key, raw);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, secret };
  }
  return { ok: false, reason: 'bad_signature' };
}

/**
 * The Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`): the
 * `standardwebhooks` library checks the signature in constant time and the timestamp within
 * five minutes, so a captured delivery cannot be replayed later.
 */
export function verifyStandardWebhooks(
  raw: Buffer,
  headers: Record<string, string | undefined>,
  secrets: readonly OpenedSecret[],
): Verified {
  if (!headers['webhook-signature'] || !headers['webhook-timestamp']) return { ok: false, reason: 'missing_signature' };
  if (!headers['webhook-id']) return { ok: false, reason: 'missing_delivery_id' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const given = {
    'webhook-id': headers['webhook-id'],
    'webhook-timestamp': headers['webhook-timestamp'],
    'webhook-signature': headers['webhook-signature'],
  };
  for (const secret of secrets) {
    try {
      secret.standard.verify(raw, given, { jsonParse: false });
      return { ok: true, secret };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      // The same timestamp fails the same way under every secret.
      if (/timestamp/i.test(error.message)) return { ok: false, reason: 'stale_timestamp' };
    }
  }
  return { ok: false, reason: 'bad_signature' };
}

/** The headers Shopify sends with a delivery: what tests, the bench and the README's example sign with. */
export function shopifySignatureHeaders(secret: string, raw: string | Buffer): Record<string, string> {
  const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  return { 'x-shopify-hmac-sha256': shopifyHmac(webhookSecretKey(secret), body).toString('base64') };
}

/** The Standard Webhooks headers of a delivery. */
export function standardWebhooksHeaders(
  secret: string,
  deliveryId: string,
  raw: string | Buffer,
  at: Date = new Date(),
): Record<string, string> {
  const body = typeof raw === 'string' ? raw : raw.toString('utf8');
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(webhookSecretKey(secret).toString('base64')).sign(deliveryId, at, body),
  };
}
