import {
  openedSecret,
  shopifySignatureHeaders,
  standardWebhooksHeaders,
  verifyShopify,
  verifyStandardWebhooks,
} from './signatures';
import { newWebhookSecret } from './webhook-secret';

const body = Buffer.from('{"event":"inventory.updated","data":{"sku":"W","quantity":1}}');
const OLD = newWebhookSecret();
const NEW = newWebhookSecret();
const secrets = [openedSecret('whk_old', 'acme', OLD), openedSecret('whk_new', 'acme', NEW)];

describe('Shopify signatures', () => {
  it('accepts the HMAC of the raw body under any secret held, and says which', () => {
    const signature = shopifySignatureHeaders(NEW, body)['x-shopify-hmac-sha256'];
    expect(verifyShopify(body, signature, secrets)).toMatchObject({ ok: true, secret: { secretId: 'whk_new' } });
  });

  it('refuses a tampered body, a wrong secret, a missing or malformed signature', () => {
    const signature = shopifySignatureHeaders(OLD, body)['x-shopify-hmac-sha256'];
    const tampered = Buffer.from(body.toString().replace('"quantity":1', '"quantity":9'));
    expect(verifyShopify(tampered, signature, secrets)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(
      verifyShopify(body, shopifySignatureHeaders(newWebhookSecret(), body)['x-shopify-hmac-sha256'], secrets),
    ).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyShopify(body, undefined, secrets)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyShopify(body, 'bm90IGEgaG1hYw==', secrets)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyShopify(body, signature, [])).toEqual({ ok: false, reason: 'no_secret' });
  });
});

describe('Standard Webhooks signatures', () => {
  it('accepts a signature of any secret held within five minutes', () => {
    const headers = standardWebhooksHeaders(OLD, 'msg_1', body, new Date(Date.now() - 4 * 60_000));
    expect(verifyStandardWebhooks(body, headers, secrets)).toMatchObject({ ok: true, secret: { secretId: 'whk_old' } });
  });

  it('refuses a stale or future timestamp, a tampered body or id, a wrong secret, missing headers', () => {
    const stale = standardWebhooksHeaders(OLD, 'msg_1', body, new Date(Date.now() - 6 * 60_000));
    expect(verifyStandardWebhooks(body, stale, secrets)).toEqual({ ok: false, reason: 'stale_timestamp' });
    const future = standardWebhooksHeaders(OLD, 'msg_1', body, new Date(Date.now() + 6 * 60_000));
    expect(verifyStandardWebhooks(body, future, secrets)).toEqual({ ok: false, reason: 'stale_timestamp' });
    const headers = standardWebhooksHeaders(OLD, 'msg_1', body);
    expect(verifyStandardWebhooks(Buffer.from(`${body.toString()} `), headers, secrets)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyStandardWebhooks(body, { ...headers, 'webhook-id': 'msg_2' }, secrets)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyStandardWebhooks(body, standardWebhooksHeaders(newWebhookSecret(), 'm', body), secrets)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyStandardWebhooks(body, { ...headers, 'webhook-signature': undefined }, secrets)).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(verifyStandardWebhooks(body, { ...headers, 'webhook-id': undefined }, secrets)).toEqual({
      ok: false,
      reason: 'missing_delivery_id',
    });
  });
});
