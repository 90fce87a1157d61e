import { randomUUID } from 'node:crypto';
import { shopifySignatureHeaders, standardWebhooksHeaders } from '@verity/connector-webhooks';
import { ingestorDeadLettersTopic } from '@verity/connector-intake';
import { contextTopics, repliesTopic } from '@verity/events';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';
import { runWebhooks } from './webhooks-command';

/** What `verity webhooks ...` printed, and its exit code. */
async function cli(platform: TestPlatform, args: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const code = await runWebhooks(args, {
    env: platform.env,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: () => true },
  });
  return { code, stdout: out.join('') };
}

interface Answer {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

describe('webhooks through the real stack: signed delivery → Kafka → processor → projector → query-api', () => {
  let platform: TestPlatform;
  let inventory: ReturnType<typeof contextTopics>;
  let netsuiteSecret: string;
  let shopifySecret: string;

  const SEED = {
    event: 'inventory.updated',
    timestamp: '2025-07-15T10:30:00Z',
    data: { sku: 'WIDGET-001', quantity: 150 },
  };

  async function deliver(path: string, raw: string, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${platform.urls['webhook-ingestor']}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
    });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  /** A Standard Webhooks delivery signed with `secret`, at `at`. */
  const standard = (
    source: string,
    topic: string,
    body: unknown,
    secret: string,
    options: { id?: string; at?: Date; tenant?: string } = {},
  ) => {
    const raw = JSON.stringify(body);
    const id = options.id ?? `msg_${randomUUID()}`;
    return deliver(
      `/webhooks/${source}/${topic}?tenant=${options.tenant ?? 'acme'}`,
      raw,
      standardWebhooksHeaders(secret, id, raw, options.at),
    );
  };

  /** A Shopify delivery of the shop `acme.myshopify.com`, signed with `secret`. */
  const shopify = (topic: string, body: unknown, secret: string, id: string = randomUUID()) => {
    const raw = JSON.stringify(body);
    return deliver(`/webhooks/shopify/${topic}`, raw, {
      ...shopifySignatureHeaders(secret, raw),
      'x-shopify-webhook-id': id,
      'x-shopify-shop-domain': 'acme.myshopify.com',
      'x-shopify-topic': topic,
    });
  };

  async function stockOf(sku: string, tenant = 'acme'): Promise<Record<string, unknown> | undefined> {
    const res = await fetch(`${platform.urls['query-api']}/v1/inventory/${sku}`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': tenant }),
    });
    return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
  }

  /** Waits for the ingestor to hold a secret just set: the first delivery it accepts. */
  const accepted = (send: () => Promise<Answer>): Promise<Answer> =>
    eventually(
      async () => {
        const answer = await send();
        return answer.status === 202 ? answer : undefined;
      },
      20_000,
      'a delivery accepted',
    );

  beforeAll(async () => {
    // The gateway only creates the price list the price deliveries name (webhooks create none).
    platform = await startTestPlatform(['command-processor', 'projector', 'query-api', 'webhook-ingestor', 'gateway']);
    inventory = contextTopics('inventory', platform.prefix);
    const set = await cli(platform, ['secret', 'set', '--tenant', 'acme', '--source', 'netsuite']);
    expect(set.code).toBe(0);
    netsuiteSecret = set.stdout.trimEnd().split('\n').at(-1)!;
    const shop = await cli(platform, [
      'secret',
      'set',
      '--tenant',
      'acme',
      '--source',
      'shopify',
      '--shop-domain',
      'acme.myshopify.com',
    ]);
    shopifySecret = shop.stdout.trimEnd().split('\n').at(-1)!;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('`webhooks secret set` prints a generated secret alone on the last line; `list` shows its id, never the secret', async () => {
    expect(netsuiteSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await cli(platform, ['secret', 'list', '--tenant', 'acme']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^SECRET ID\s+TENANT\s+SOURCE\s+SHOP DOMAIN\s+ADDED\s+EXPIRES\s+STATUS$/m);
    expect(list.stdout).toMatch(/^whk_[a-z2-7]{16}\s+acme\s+netsuite\s+-\s+\S+\s+-\s+active$/m);
    expect(list.stdout).toMatch(/^whk_[a-z2-7]{16}\s+acme\s+shopify\s+acme\.myshopify\.com\s/m);
    expect(list.stdout).not.toContain(netsuiteSecret.slice(6));
    // Nor is it in the log: the access events carry it sealed.
    const access = await platform.readTopic(contextTopics('access', platform.prefix).commands, (m) => m.length >= 2);
    for (const record of access) expect(record.value!.toString()).not.toContain(netsuiteSecret.slice(6, 30));
  });

  it("takes the seed's NetSuite example: 202 once durable, the absolute count visible through the query-api", async () => {
    const answer = await accepted(() =>
      standard('netsuite', 'inventory-change', SEED, netsuiteSecret, { id: 'msg_seed' }),
    );
    expect(answer.body).toEqual({ commandId: 'netsuite:msg_seed', status: 'accepted' });
    const stock = await eventually(async () => {
      const view = await stockOf('WIDGET-001');
      return (view?.totals as { onHand?: number } | undefined)?.onHand === 150 ? view : undefined;
    });
    expect(stock).toMatchObject({ locations: [{ location: 'main', onHand: 150 }] });
  });

  it('takes a later price of the same line as its new price: the quote follows, the same price appends nothing', async () => {
    const created = await postCommand(
      platform,
      'pricing.CreatePriceList',
      { priceListId: 'WEB-PL', name: 'Web', currency: 'EUR' },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(created.status).toBe(200);
    const pricing = contextTopics('pricing', platform.prefix);
    const priceDelivery = (id: string, price: string, timestamp: string) =>
      standard(
        'netsuite',
        'price-change',
        { event: 'price.updated', timestamp, data: { sku: 'WEB-SKU', priceList: 'WEB-PL', price } },
        netsuiteSecret,
        { id },
      );
    const quoted = (unitPrice: number) =>
      eventually(
        async () => {
          const res = await fetch(
            `${platform.urls['query-api']}/v1/pricing/quote?priceListId=WEB-PL&sku=WEB-SKU&quantity=2`,
            { headers: await withCredential(platform, { 'X-Tenant-Id': 'acme' }) },
          );
          const body = res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
          return body?.unitPrice === unitPrice ? body : undefined;
        },
        20_000,
        `a quote of ${unitPrice}`,
      );
    /** The processor's reply to a delivery's command, once it has decided it. */
    const replyOf = async (id: string) => {
      const replies = await platform.readTopic(repliesTopic(platform.prefix), (m) =>
        m.some((r) => r.key?.toString() === `netsuite:${id}`),
      );
      return JSON.parse(replies.find((r) => r.key?.toString() === `netsuite:${id}`)!.value!.toString()) as Record<
        string,
        unknown
      >;
    };

    expect((await priceDelivery('msg_price_1', '12.99', '2025-07-15T10:30:00Z')).status).toBe(202);
    expect(await quoted(1299)).toMatchObject({ total: 2598, currency: 'EUR', rule: 'base', effectiveTo: null });
    // A day later the source sends the line's new price: it replaces the line, never overlaps it.
    expect((await priceDelivery('msg_price_2', '13.49', '2025-07-16T09:00:00Z')).status).toBe(202);
    expect(await replyOf('msg_price_2')).toMatchObject({
      status: 'accepted',
      streamId: 'acme/WEB-PL',
      version: 3,
      events: [{ type: 'verity.pricing.BasePriceReplaced' }],
    });
    expect(await quoted(1349)).toMatchObject({ total: 2698 });
    const list = await fetch(`${platform.urls['query-api']}/v1/pricing/price-lists/WEB-PL`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': 'acme' }),
    });
    expect(((await list.json()) as { rules: unknown[] }).rules).toEqual([
      expect.objectContaining({ kind: 'base', sku: 'WEB-SKU', unitPrice: 1349, effectiveTo: null }),
    ]);

    const events = await platform.endOffsets(pricing.events);
    expect((await priceDelivery('msg_price_3', '13.49', '2025-07-17T09:00:00Z')).status).toBe(202);
    expect(await replyOf('msg_price_3')).toMatchObject({ status: 'accepted', version: 3, events: [] });
    expect(await platform.endOffsets(pricing.events)).toEqual(events);
  });

  it('takes a Shopify delivery by its HMAC, the tenant found from the shop domain', async () => {
    const product = {
      id: 1,
      title: 'Cap',
      updated_at: '2025-07-15T10:00:00Z',
      variants: [{ sku: 'CAP-1', title: 'Default Title' }],
    };
    const created = await accepted(() => shopify('products/create', product, shopifySecret, 'shop-product-1'));
    expect(created.body).toEqual({ commandId: 'shopify:shop-product-1', status: 'accepted' });
    const level = {
      inventory_item_id: 42,
      location_id: 655441491,
      available: 12,
      updated_at: '2025-07-15T10:31:00Z',
      sku: 'CAP-1',
    };
    expect((await shopify('inventory_levels/update', level, shopifySecret)).status).toBe(202);
    await eventually(async () => {
      const view = await stockOf('CAP-1');
      return (view?.locations as { location: string; onHand: number }[] | undefined)?.some(
        (l) => l.location === '655441491' && l.onHand === 12,
      )
        ? true
        : undefined;
    });
    const productView = await eventually(async () => {
      const res = await fetch(`${platform.urls['query-api']}/v1/catalog/products/CAP-1`, {
        headers: await withCredential(platform, { 'X-Tenant-Id': 'acme' }),
      });
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
    });
    expect(productView).toMatchObject({ sku: 'CAP-1', name: 'Cap', unit: 'EA' });
  });

  it('takes SAP Business One and Dynamics 365 deliveries under their own secrets', async () => {
    const sap = (await cli(platform, ['secret', 'set', '--tenant', 'acme', '--source', 'sap-b1'])).stdout
      .trimEnd()
      .split('\n')
      .at(-1)!;
    const d365 = (await cli(platform, ['secret', 'set', '--tenant', 'acme', '--source', 'dynamics-365'])).stdout
      .trimEnd()
      .split('\n')
      .at(-1)!;
    const at = '2025-07-15T11:00:00Z';
    await accepted(() =>
      standard(
        'sap-b1',
        'item-warehouse',
        { event: 'stock.updated', timestamp: at, data: { ItemCode: 'B1-ITEM', WarehouseCode: '01', InStock: 7 } },
        sap,
      ),
    );
    await accepted(() =>
      standard(
        'dynamics-365',
        'inventory',
        { event: 'inventory.updated', timestamp: at, data: { itemNumber: '1896-S', inventory: 4 } },
        d365,
      ),
    );
    // A secret is the source's: NetSuite's does not sign SAP's deliveries.
    const crossed = await standard(
      'sap-b1',
      'item-warehouse',
      { event: 'stock.updated', timestamp: at, data: { ItemCode: 'B1-ITEM', InStock: 1 } },
      netsuiteSecret,
    );
    expect(crossed.status).toBe(401);
    await eventually(
      async () => ((await stockOf('B1-ITEM'))?.totals as { onHand?: number } | undefined)?.onHand === 7 || undefined,
    );
    await eventually(
      async () => ((await stockOf('1896-S'))?.totals as { onHand?: number } | undefined)?.onHand === 4 || undefined,
    );
  });

  it('keeps a shop to the tenant whose secret signs it, even when another tenant names the same domain', async () => {
    const intruder = await cli(platform, [
      'secret',
      'set',
      '--tenant',
      'intruder',
      '--source',
      'shopify',
      '--shop-domain',
      'acme.myshopify.com',
    ]);
    expect(intruder.code).toBe(0);
    const level = { location_id: 1, available: 5, updated_at: '2025-07-15T10:40:00Z', sku: 'SHOP-OWN' };
    await accepted(() => shopify('inventory_levels/update', level, intruder.stdout.trimEnd().split('\n').at(-1)!));
    expect((await shopify('inventory_levels/update', { ...level, available: 8 }, shopifySecret)).status).toBe(202);
    await eventually(
      async () =>
        ((await stockOf('SHOP-OWN', 'acme'))?.totals as { onHand?: number } | undefined)?.onHand === 8 || undefined,
    );
    expect(await stockOf('SHOP-OWN', 'intruder')).toMatchObject({ totals: { onHand: 5 } });
    // The tenant may be named in the URL instead of by the shop; a delivery id is required.
    const raw = JSON.stringify({ ...level, available: 9 });
    const named = await deliver('/webhooks/shopify/inventory_levels/update?tenant=acme', raw, {
      ...shopifySignatureHeaders(shopifySecret, raw),
      'x-shopify-webhook-id': randomUUID(),
    });
    expect(named.status).toBe(202);
    const anonymous = await deliver(
      '/webhooks/shopify/inventory_levels/update?tenant=acme',
      raw,
      shopifySignatureHeaders(shopifySecret, raw),
    );
    expect([anonymous.status, anonymous.body.code]).toEqual([400, 'invalid_delivery_id']);
  });

  it('refuses a body over the limit with 413 and an unknown secret id on removal', async () => {
    const big = JSON.stringify({ ...SEED, padding: 'x'.repeat(1024 * 1024) });
    const answer = await deliver(
      '/webhooks/netsuite/inventory-change?tenant=acme',
      big,
      standardWebhooksHeaders(netsuiteSecret, 'big', big),
    );
    expect([answer.status, answer.body.code]).toEqual([413, 'body_too_large']);
    await expect(cli(platform, ['secret', 'remove', 'whk_aaaaaaaaaaaaaaaa'])).rejects.toThrow(
      /no webhook secret whk_aaaaaaaaaaaaaaaa/,
    );
  });

  it('refuses a tampered body, a stale timestamp, a wrong secret and a missing signature with 401, writing nothing', async () => {
    await accepted(() => standard('netsuite', 'inventory-change', SEED, netsuiteSecret));
    const before = await platform.endOffsets(inventory.commands);
    const raw = JSON.stringify({ ...SEED, data: { sku: 'WIDGET-001', quantity: 1 } });
    const signed = standardWebhooksHeaders(netsuiteSecret, 'msg_tamper', JSON.stringify(SEED));
    const path = '/webhooks/netsuite/inventory-change?tenant=acme';
    const refused = [
      await deliver(path, raw, signed),
      await standard('netsuite', 'inventory-change', SEED, netsuiteSecret, { at: new Date(Date.now() - 6 * 60_000) }),
      await standard('netsuite', 'inventory-change', SEED, `whsec_${Buffer.alloc(32, 7).toString('base64')}`),
      await deliver(path, raw, {}),
      // Another tenant has no secret of netsuite: acme's signature does not open it.
      await standard('netsuite', 'inventory-change', SEED, netsuiteSecret, { tenant: 'other' }),
      await deliver('/webhooks/shopify/inventory_levels/update', raw, {
        'x-shopify-hmac-sha256': shopifySignatureHeaders(shopifySecret, JSON.stringify(SEED))['x-shopify-hmac-sha256']!,
        'x-shopify-webhook-id': 'tampered',
        'x-shopify-shop-domain': 'acme.myshopify.com',
      }),
      await deliver('/webhooks/shopify/inventory_levels/update', raw, {
        'x-shopify-shop-domain': 'acme.myshopify.com',
      }),
    ];
    expect(refused.map((r) => [r.status, r.contentType, r.body.code, r.body.reason])).toEqual([
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'bad_signature'],
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'stale_timestamp'],
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'bad_signature'],
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'missing_signature'],
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'no_secret'],
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'bad_signature'],
      [401, 'application/problem+json; charset=utf-8', 'invalid_webhook_signature', 'missing_signature'],
    ]);
    expect(await platform.endOffsets(inventory.commands)).toEqual(before);
    const metrics = await (await fetch(`${platform.urls['webhook-ingestor']}/metrics`)).text();
    expect(metrics).toMatch(/^verity_webhooks_refused_total\{source="netsuite",reason="stale_timestamp"\} 1$/m);
    expect(metrics).toMatch(
      /^verity_sync_changes_total\{ingestor="webhooks",source="netsuite",tenant="acme",outcome="submitted"\} \d+$/m,
    );
  });

  it('answers a replayed delivery (same id) with the same command, which appends no event', async () => {
    const body = {
      event: 'inventory.updated',
      timestamp: '2025-07-15T12:00:00Z',
      data: { sku: 'REPLAY-1', quantity: 9 },
    };
    const first = await accepted(() =>
      standard('netsuite', 'inventory-change', body, netsuiteSecret, { id: 'msg_replay' }),
    );
    await eventually(
      async () => ((await stockOf('REPLAY-1'))?.totals as { onHand?: number } | undefined)?.onHand === 9 || undefined,
    );
    const events = await platform.endOffsets(inventory.events);
    const again = await standard('netsuite', 'inventory-change', body, netsuiteSecret, { id: 'msg_replay' });
    expect(again).toMatchObject({ status: 202, body: first.body });
    // The processor answered the second from the stream: two replies, one set of events.
    await platform.readTopic(
      repliesTopic(platform.prefix),
      (m) => m.filter((r) => r.key?.toString() === 'netsuite:msg_replay').length >= 2,
    );
    expect(await platform.endOffsets(inventory.events)).toEqual(events);
    expect(await stockOf('REPLAY-1')).toMatchObject({ version: 1, totals: { onHand: 9 } });
  });

  it('during a rotation both secrets work; once the old one is removed it is refused', async () => {
    const newer = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const set = await cli(platform, ['secret', 'set', '--tenant', 'acme', '--source', 'netsuite', '--secret', newer]);
    expect(set.code).toBe(0);
    // A secret given is not printed back.
    expect(set.stdout).not.toContain(newer);
    const newId = /^secret id:\s+(whk_\S+)$/m.exec(set.stdout)![1]!;
    await accepted(() => standard('netsuite', 'inventory-change', SEED, newer));
    expect((await standard('netsuite', 'inventory-change', SEED, netsuiteSecret)).status).toBe(202);
    const list = (await cli(platform, ['secret', 'list', '--tenant', 'acme'])).stdout;
    const oldId = list
      .split('\n')
      .filter((line) => /\snetsuite\s/.test(line))
      .map((line) => line.split(/\s+/)[0]!)
      .find((id) => id !== newId)!;
    expect(await cli(platform, ['secret', 'remove', oldId])).toMatchObject({
      code: 0,
      stdout: `removed ${oldId} (tenant acme, source netsuite)\n`,
    });
    await eventually(async () =>
      (await standard('netsuite', 'inventory-change', SEED, netsuiteSecret)).status === 401 ? true : undefined,
    );
    expect((await standard('netsuite', 'inventory-change', SEED, newer)).status).toBe(202);
    netsuiteSecret = newer;
  });

  it('refuses a secret once its --expires has passed', async () => {
    const expires = new Date(Date.now() + 5000).toISOString();
    const set = await cli(platform, [
      'secret',
      'set',
      '--tenant',
      'expiring',
      '--source',
      'dynamics-365',
      '--expires',
      expires,
    ]);
    const secret = set.stdout.trimEnd().split('\n').at(-1)!;
    const body = {
      event: 'inventory.updated',
      timestamp: '2025-07-15T10:30:00Z',
      data: { itemNumber: 'EXP-1', inventory: 1 },
    };
    await accepted(() => standard('dynamics-365', 'inventory', body, secret, { tenant: 'expiring' }));
    const refused = await eventually(async () => {
      const answer = await standard('dynamics-365', 'inventory', body, secret, { tenant: 'expiring' });
      return answer.status === 401 ? answer : undefined;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expires));
    expect(refused.body).toMatchObject({ code: 'invalid_webhook_signature', reason: 'no_secret' });
  });

  it('answers an unknown source or topic 404, a delivery naming no tenant 400', async () => {
    const raw = JSON.stringify(SEED);
    for (const path of [
      '/webhooks/quickbooks/inventory-change?tenant=acme',
      '/webhooks/netsuite/orders?tenant=acme',
      '/webhooks/shopify/orders/create',
    ]) {
      const answer = await deliver(path, raw, standardWebhooksHeaders(netsuiteSecret, 'm', raw));
      expect([answer.status, answer.body.code]).toEqual([404, 'unknown_webhook_topic']);
    }
    const untenanted = await deliver(
      '/webhooks/netsuite/inventory-change',
      raw,
      standardWebhooksHeaders(netsuiteSecret, 'm', raw),
    );
    expect([untenanted.status, untenanted.body.code]).toEqual([400, 'missing_tenant']);
  });

  it('answers an authentic body that maps to no command 400 naming the field, and keeps it as a dead letter', async () => {
    const before = await platform.endOffsets(inventory.commands);
    const body = {
      event: 'inventory.updated',
      timestamp: '2025-07-15T10:30:00Z',
      data: { sku: 'WIDGET-001', quantity: 'lots' },
    };
    const answer = await standard('netsuite', 'inventory-change', body, netsuiteSecret, { id: 'msg_unmappable' });
    expect(answer).toMatchObject({
      status: 400,
      contentType: 'application/problem+json; charset=utf-8',
      body: { code: 'unmappable_change', fields: [{ path: 'data.quantity' }] },
    });
    expect(answer.body.detail).toMatch(/data\.quantity/);
    expect(await platform.endOffsets(inventory.commands)).toEqual(before);
    const [letter] = await platform.readTopic(
      ingestorDeadLettersTopic('webhooks', platform.prefix),
      (m) => m.length >= 1,
    );
    expect(JSON.parse(letter!.value!.toString())).toMatchObject({
      ingestor: 'webhooks',
      source: 'netsuite',
      tenant: 'acme',
      code: 'unmappable_change',
      position: 'inventory-change:msg_unmappable',
      original: JSON.stringify(body),
    });
  });
});
