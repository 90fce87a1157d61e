import type { Request } from 'express';
import { tenantIdSchema } from '@verity/core';
import {
  verifyShopify,
  verifyStandardWebhooks,
  type OpenedSecret,
  type SignatureScheme,
  type WebhookSecretDirectory,
} from '@verity/connector-webhooks';
import type { WebhookSource } from '@verity/domain';
import { badDelivery, unauthenticated } from './webhook-problems';

/** Who sent an authenticated delivery, and its id. */
export interface Authenticated {
  tenant: string;
  deliveryId: string;
  secret: OpenedSecret;
}

const header = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `?tenant=`, checked as every tenant id is; undefined when absent. */
function tenantParameter(req: Request): string | undefined {
  const given = req.query.tenant;
  if (given === undefined) return undefined;
  const parsed = tenantIdSchema.safeParse(given);
  if (!parsed.success)
    throw badDelivery('invalid_tenant', `tenant: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { field: 'tenant' });
  return parsed.data;
}

/** The delivery id, as a command id's part: printable, at most 150 characters. */
function deliveryIdOf(given: string | undefined, name: string): string {
  if (!given || !/^[\x21-\x7e]{1,150}$/.test(given))
    throw badDelivery('invalid_delivery_id', `${name}: 1 to 150 printable characters`, { field: name });
  return given;
}

/**
 * Authenticates a delivery before anything is read from its body: the tenant's secrets for the
 * source (two during a rotation) must have signed the raw bytes. Throws a 401 problem, or 400
 * for a delivery that names no tenant.
 */
export function authenticateDelivery(
  req: Request,
  raw: Buffer,
  source: WebhookSource,
  scheme: SignatureScheme,
  directory: WebhookSecretDirectory,
): Authenticated {
  const tenant = tenantParameter(req);
  if (scheme === 'shopify') {
    const shop = header(req, 'x-shopify-shop-domain');
    if (tenant === undefined && shop === undefined)
      throw badDelivery('missing_tenant', 'name the tenant with ?tenant=<tenant> or X-Shopify-Shop-Domain', {
        field: 'tenant',
      });
    // A tenant named in the URL takes its own secrets; else the shop's domain tells the tenant.
    const secrets = tenant !== undefined ? directory.secretsFor(tenant, source) : directory.shopSecrets(shop!);
    const verified = verifyShopify(raw, header(req, 'x-shopify-hmac-sha256'), secrets);
    if (!verified.ok) throw unauthenticated(verified.reason);
    return {
      tenant: verified.secret.tenant,
      deliveryId: deliveryIdOf(header(req, 'x-shopify-webhook-id'), 'X-Shopify-Webhook-Id'),
      secret: verified.secret,
    };
  }
  if (tenant === undefined)
    throw badDelivery('missing_tenant', 'name the tenant with ?tenant=<tenant>', { field: 'tenant' });
  const verified = verifyStandardWebhooks(
    raw,
    {
      'webhook-id': header(req, 'webhook-id'),
      'webhook-timestamp': header(req, 'webhook-timestamp'),
      'webhook-signature': header(req, 'webhook-signature'),
    },
    directory.secretsFor(tenant, source),
  );
  if (!verified.ok) throw unauthenticated(verified.reason);
  return { tenant, deliveryId: deliveryIdOf(header(req, 'webhook-id'), 'webhook-id'), secret: verified.secret };
}
