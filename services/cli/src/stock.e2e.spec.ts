import { contextTopics } from '@verity/events';
import { postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const cmd = (name: string): string => `inventory.${name}`;

describe('stock per SKU per location through the real stack: reservations, ATP, expiry, transfers, lists', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;

  beforeAll(async () => {
    // This suite expires reservations with ExpireReservations itself, as a scheduler or an ERP would:
    // the processor's own timer (reservation-expiry.e2e.spec.ts) must not get there first.
    platform = await startTestPlatform(undefined, { env: { VERITY_TIMER_INTERVAL_MS: '3600000' } });
    topics = contextTopics('inventory', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const offsets = async () => ({
    commands: await platform.endOffsets(topics.commands),
    events: await platform.endOffsets(topics.events),
  });

  /** Sends a command that must be accepted; returns its reply body. */
  async function accepted(
    name: string,
    payload: Record<string, unknown>,
    tenant = 'acme',
  ): Promise<Record<string, unknown>> {
    const res = await postCommand(platform, cmd(name), payload, { 'X-Tenant-Id': tenant });
    expect({ name, status: res.status, body: res.body }).toMatchObject({ name, status: 200 });
    return res.body;
  }

  /** GET on the query-api, reading our own write when a consistency token is given. */
  async function get(
    path: string,
    tenant = 'acme',
    token?: unknown,
  ): Promise<{ status: number; contentType: string | null; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'X-Tenant-Id': tenant };
    if (typeof token === 'string') headers['X-Consistency-Token'] = token;
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, headers),
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: (await res.json()) as Record<string, unknown>,
    };
  }

  it('receive → reserve → buffer: available to promise in the REST answer; beyond it is 422 insufficient_stock, nothing appended', async () => {
    await accepted('ReceiveStock', { sku: 'SKU-ATP', location: 'berlin', quantity: 10 });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const reserve = await accepted('ReserveStock', {
      sku: 'SKU-ATP',
      location: 'berlin',
      quantity: 3,
      reservationId: 'order-1',
      expiresAt,
    });
    expect(reserve).toMatchObject({
      streamId: 'acme/SKU-ATP',
      version: 2,
      events: [{ type: 'verity.inventory.StockReserved', topic: topics.events }],
    });
    let view = await get('/v1/inventory/SKU-ATP', 'acme', reserve.consistencyToken);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      version: 2,
      locations: [{ location: 'berlin', onHand: 10, reserved: 3, buffer: 0, available: 7 }],
      totals: { onHand: 10, reserved: 3, buffer: 0, available: 7 },
    });

    const buffer = await accepted('SetSafetyBuffer', { sku: 'SKU-ATP', location: 'berlin', buffer: 2 });
    view = await get('/v1/inventory/SKU-ATP', 'acme', buffer.consistencyToken);
    expect(view.body).toMatchObject({
      version: 3,
      locations: [{ location: 'berlin', onHand: 10, reserved: 3, buffer: 2, available: 5 }],
    });

    const before = await offsets();
    const tooMuch = await postCommand(
      platform,
      cmd('ReserveStock'),
      { sku: 'SKU-ATP', location: 'berlin', quantity: 6, reservationId: 'order-2', expiresAt },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.headers.get('content-type')).toContain('application/problem+json');
    expect(tooMuch.body).toMatchObject({ status: 422, code: 'insufficient_stock', available: 5 });
    expect((await offsets()).events).toEqual(before.events);

    const duplicate = await postCommand(
      platform,
      cmd('ReserveStock'),
      { sku: 'SKU-ATP', location: 'berlin', quantity: 1, reservationId: 'order-1', expiresAt },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(duplicate.body).toMatchObject({ status: 422, code: 'reservation_exists' });

    // The reservation row of the read model.
    const rows = await platform.db
      .withSchema(platform.schema)
      .table('reservations')
      .where({ tenant: 'acme', sku: 'SKU-ATP' })
      .select('reservation_id', 'location', 'quantity', 'status');
    expect(rows).toEqual([{ reservation_id: 'order-1', location: 'berlin', quantity: '3', status: 'open' }]);
  });

  it('a reservation past its expiresAt is released by ExpireReservations (time = when the gateway received it); commit and transfer move the counts', async () => {
    await accepted('ReceiveStock', { sku: 'SKU-EXP', location: 'berlin', quantity: 10 });
    // Far enough ahead that the first ExpireReservations lands before it on a loaded box.
    const expiresAt = new Date(Date.now() + 8_000).toISOString();
    await accepted('ReserveStock', {
      sku: 'SKU-EXP',
      location: 'berlin',
      quantity: 4,
      reservationId: 'soon',
      expiresAt,
    });
    await accepted('ReserveStock', {
      sku: 'SKU-EXP',
      location: 'berlin',
      quantity: 2,
      reservationId: 'later',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });

    const early = await accepted('ExpireReservations', { sku: 'SKU-EXP' });
    expect(early).toMatchObject({ version: 3, events: [] });

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 300)));
    const expired = await accepted('ExpireReservations', { sku: 'SKU-EXP' });
    expect(expired).toMatchObject({ version: 4, events: [{ type: 'verity.inventory.ReservationExpired' }] });
    const [record] = await platform.readTopic(topics.events, (m) =>
      m.some(
        (r) =>
          r.key?.toString() === 'acme/SKU-EXP' &&
          r.headers?.ce_type?.toString() === 'verity.inventory.ReservationExpired',
      ),
    );
    expect(record).toBeDefined();
    let view = await get('/v1/inventory/SKU-EXP', 'acme', expired.consistencyToken);
    expect(view.body).toMatchObject({
      version: 4,
      locations: [{ location: 'berlin', onHand: 10, reserved: 2, available: 8 }],
    });
    const released = await postCommand(
      platform,
      cmd('ReleaseReservation'),
      { sku: 'SKU-EXP', reservationId: 'soon' },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(released.body).toMatchObject({
      status: 422,
      code: 'unknown_reservation',
      reservationId: 'soon',
      reservationStatus: 'expired',
    });

    await accepted('CommitReservation', { sku: 'SKU-EXP', reservationId: 'later' });
    const transfer = await accepted('TransferStock', { sku: 'SKU-EXP', from: 'berlin', to: 'paris', quantity: 5 });
    view = await get('/v1/inventory/SKU-EXP', 'acme', transfer.consistencyToken);
    expect(view.body).toMatchObject({
      version: 6,
      locations: [
        { location: 'berlin', onHand: 3, reserved: 0, buffer: 0, available: 3 },
        { location: 'paris', onHand: 5, reserved: 0, buffer: 0, available: 5 },
      ],
      totals: { onHand: 8, reserved: 0, available: 8 },
    });
    const statuses = await platform.db
      .withSchema(platform.schema)
      .table('reservations')
      .where({ tenant: 'acme', sku: 'SKU-EXP' })
      .orderBy('reservation_id')
      .select('reservation_id', 'status');
    expect(statuses).toEqual([
      { reservation_id: 'later', status: 'committed' },
      { reservation_id: 'soon', status: 'expired' },
    ]);

    const adjust = await accepted('AdjustStock', { sku: 'SKU-EXP', location: 'paris', onHand: 1 });
    view = await get('/v1/inventory/SKU-EXP', 'acme', adjust.consistencyToken);
    expect(view.body).toMatchObject({
      version: 7,
      locations: [
        { location: 'berlin', onHand: 3 },
        { location: 'paris', onHand: 1, available: 1 },
      ],
    });
  });

  it('lists a location and the low-stock rows of a tenant, paginated by cursor', async () => {
    const tenant = 'listco';
    const stock: [string, string, number][] = [
      ['A-1', 'hub', 2],
      ['A-2', 'hub', 9],
      ['A-3', 'hub', 4],
      ['A-3', 'store', 1],
      ['A-4', 'hub', 20],
      ['A-5', 'hub', 1],
    ];
    for (const [sku, location, quantity] of stock) await accepted('ReceiveStock', { sku, location, quantity }, tenant);
    const token = (await accepted('SetSafetyBuffer', { sku: 'A-4', location: 'hub', buffer: 18 }, tenant))
      .consistencyToken;
    await get('/v1/inventory/A-4', tenant, token);

    const collect = async (path: string) => {
      const pages: Record<string, unknown>[][] = [];
      let cursor: string | null = null;
      do {
        const separator = path.includes('?') ? '&' : '?';
        const page = await get(`${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`, tenant);
        expect(page.status).toBe(200);
        pages.push(page.body.items as Record<string, unknown>[]);
        cursor = page.body.nextCursor as string | null;
      } while (cursor && pages.length < 10);
      return pages;
    };

    const hub = await collect('/v1/inventory/locations/hub?limit=2');
    expect(hub.map((p) => p.map((i) => i.sku))).toEqual([['A-1', 'A-2'], ['A-3', 'A-4'], ['A-5']]);
    expect(hub[1]![1]).toEqual({ sku: 'A-4', location: 'hub', onHand: 20, reserved: 0, buffer: 18, available: 2 });

    const low = await collect('/v1/inventory/low-stock?threshold=3&limit=2');
    expect(low.flat().map((i) => `${String(i.sku)}@${String(i.location)}:${String(i.available)}`)).toEqual([
      'A-1@hub:2',
      'A-3@store:1',
      'A-4@hub:2',
      'A-5@hub:1',
    ]);
    expect(low.map((p) => p.length)).toEqual([2, 2]);

    expect((await get('/v1/inventory/locations/nowhere', tenant)).body).toEqual({ items: [], nextCursor: null });
    // Another tenant sees none of it.
    expect((await get('/v1/inventory/low-stock?threshold=1000', 'globex')).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('lists answer an ETag and 304 to If-None-Match until a change alters the page', async () => {
    const receipt = await accepted('ReceiveStock', { sku: 'SKU-ETAG', location: 'etag-hub', quantity: 3 });
    const path = '/v1/inventory/locations/etag-hub';
    const first = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, {
        'X-Tenant-Id': 'acme',
        'X-Consistency-Token': String(receipt.consistencyToken),
      }),
    });
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^".+"$/);
    const unchanged = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': 'acme', 'If-None-Match': `W/${etag}, "other"` }),
    });
    expect(unchanged.status).toBe(304);

    const more = await accepted('ReceiveStock', { sku: 'SKU-ETAG', location: 'etag-hub', quantity: 1 });
    const changed = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, {
        'X-Tenant-Id': 'acme',
        'If-None-Match': etag!,
        'X-Consistency-Token': String(more.consistencyToken),
      }),
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as { items: { onHand: number }[] }).items).toMatchObject([{ onHand: 4 }]);
  });

  describe('bad input: 400 naming the field, nothing appended', () => {
    const later = '2099-01-01T00:00:00Z';
    const commands: [string, Record<string, unknown>, RegExp][] = [
      ['ReserveStock', { sku: 'SKU-BAD', location: 'berlin', quantity: 1, expiresAt: later }, /reservationId/],
      [
        'ReserveStock',
        { sku: 'SKU-BAD', location: 'berlin', quantity: 1, reservationId: 'r', expiresAt: 'tomorrow' },
        /expiresAt/,
      ],
      [
        'ReserveStock',
        { sku: 'SKU-BAD', location: 'berlin', quantity: 0, reservationId: 'r', expiresAt: later },
        /quantity/,
      ],
      ['ReleaseReservation', { sku: 'SKU-BAD' }, /reservationId/],
      ['CommitReservation', { sku: 'SKU-BAD', reservationId: 'r', quantity: 1 }, /quantity/],
      ['AdjustStock', { sku: 'SKU-BAD', location: 'berlin', onHand: -1 }, /onHand/],
      ['TransferStock', { sku: 'SKU-BAD', from: 'berlin', to: 'paris', quantity: 1.5 }, /quantity/],
      ['TransferStock', { sku: 'SKU-BAD', from: 'berlin', quantity: 1 }, /to/],
      ['SetSafetyBuffer', { sku: 'SKU-BAD', location: 'berlin', buffer: 'two' }, /buffer/],
      ['ExpireReservations', {}, /sku/],
    ];

    it.each(commands)('%s %j', async (name, payload, field) => {
      const before = await offsets();
      const res = await postCommand(platform, cmd(name), payload);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(field);
      expect(await offsets()).toEqual(before);
    });

    it.each([
      ['TransferStock', { sku: 'SKU-BAD', from: 'berlin', to: 'berlin', quantity: 1 }, 'same_location'],
      [
        'ReserveStock',
        { sku: 'SKU-BAD', location: 'berlin', quantity: 1, reservationId: 'r', expiresAt: '2020-01-01T00:00:00Z' },
        'invalid_expiry',
      ],
      ['AdjustStock', { sku: 'SKU-ATP', location: 'berlin', onHand: 1 }, 'below_reserved'],
    ])('%s breaking a rule is 422 %s, nothing appended', async (name, payload, code) => {
      const before = (await offsets()).events;
      const res = await postCommand(platform, cmd(name), payload, { 'X-Tenant-Id': 'acme' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code });
      expect((await offsets()).events).toEqual(before);
    });

    it.each([
      ['/v1/inventory/low-stock', /threshold/],
      ['/v1/inventory/low-stock?threshold=abc', /threshold/],
      ['/v1/inventory/low-stock?threshold=0', /threshold/],
      ['/v1/inventory/low-stock?threshold=5&limit=0', /limit/],
      ['/v1/inventory/low-stock?threshold=5&limit=501', /limit/],
      ['/v1/inventory/low-stock?threshold=5&cursor=bm9wZQ', /cursor/],
      ['/v1/inventory/low-stock?threshold=5&colour=red', /colour/],
      ['/v1/inventory/locations/hub?limit=-1', /limit/],
      ['/v1/inventory/locations/hub?limit=1&limit=2', /limit/],
      ['/v1/inventory/locations/hub?cursor=%5B1%5D', /cursor/],
      ['/v1/inventory/bad%20sku', /sku/],
    ])('GET %s', async (path, field) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(String(res.body.detail)).toMatch(field);
    });
  });
});
