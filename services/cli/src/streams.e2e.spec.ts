import { inventoryContext, type StockState } from '@verity/domain';
import { encodeConsistencyToken, eventHash, unchained, fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { get, type Answer } from './testing/query-access';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

interface StreamEventView {
  version: number;
  offset: string;
  time: string;
  type: string;
  actor: string;
  sourceSystem: string;
  payload: Record<string, unknown>;
  hash: string;
  prevHash: string;
}
interface HistoryPage {
  context: string;
  streamId: string;
  events: StreamEventView[];
  next?: string;
}
interface StateView {
  context: string;
  streamId: string;
  version: number;
  at: string;
  state: StockState;
}

const SKU = 'SKU-TT-1';
const body = <T>(answer: Answer): T => JSON.parse(answer.text) as T;

/** The inventory state after `events`, folded by hand: each event applied to the state before it. */
function foldByHand(events: readonly StreamEventView[]): StockState {
  let state = inventoryContext.decider.initialState();
  for (const e of events)
    state = inventoryContext.decider.evolve(state, {
      type: e.type.slice(e.type.lastIndexOf('.') + 1),
      data: e.payload,
    });
  return state;
}

describe('time travel and audit over HTTP: /v1/streams on a running query-api', () => {
  let platform: TestPlatform;
  let queryApi: string;
  let reader: Record<string, string>;
  let history: StreamEventView[];

  beforeAll(async () => {
    platform = await startTestPlatform();
    queryApi = platform.urls['query-api']!;
    reader = await platform.credential({ tenant: 'acme', roles: ['reader:inventory'] });
    const commands: [string, Record<string, unknown>][] = [
      ['inventory.ReceiveStock', { sku: SKU, location: 'berlin', quantity: 10 }],
      ['inventory.ReceiveStock', { sku: SKU, location: 'berlin', quantity: 5 }],
      [
        'inventory.ReserveStock',
        { sku: SKU, location: 'berlin', quantity: 3, reservationId: 'r-1', expiresAt: '2099-01-01T00:00:00Z' },
      ],
      ['inventory.ReceiveStock', { sku: SKU, location: 'hamburg', quantity: 7 }],
      ['inventory.AdjustStock', { sku: SKU, location: 'berlin', onHand: 12 }],
    ];
    let token = '';
    for (const [type, payload] of commands) {
      const reply = await postCommand(platform, type, payload, { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' });
      expect(reply.status).toBe(200);
      token = String(reply.body.consistencyToken);
      // Apart in time, so an instant between two events exists at millisecond precision.
      await new Promise((r) => setTimeout(r, 30));
    }
    // The last reply's token: the history read waits until the read model holds that event.
    const all = await get(`${queryApi}/v1/streams/inventory/${SKU}/events`, {
      ...reader,
      'X-Consistency-Token': token,
    });
    expect(all.status).toBe(200);
    expect(all.headers.get('x-consistency')).toBe('fresh');
    history = body<HistoryPage>(all).events;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('lists the history as the events topic holds it: who, when, source, decoded payload, hash chain', async () => {
    expect(history.map((e) => [e.version, e.type.split('.').pop(), e.actor, e.sourceSystem])).toEqual([
      [1, 'StockReceived', 'alice', 'api'],
      [2, 'StockReceived', 'alice', 'api'],
      [3, 'StockReserved', 'alice', 'api'],
      [4, 'StockReceived', 'alice', 'api'],
      [5, 'StockAdjusted', 'alice', 'api'],
    ]);
    expect(history[0]!.payload).toEqual({ sku: SKU, location: 'berlin', quantity: 10 });
    // Each hash is the one on the record, and each prevHash the previous event's.
    const records = await platform.readTopic(
      contextTopics('inventory', platform.prefix).events,
      (m) => m.filter((r) => r.key?.toString() === `acme/${SKU}`).length >= history.length,
    );
    const ours = records.filter((r) => r.key?.toString() === `acme/${SKU}`);
    expect(ours.map((r) => fromHeaders(r.headers).hash)).toEqual(history.map((e) => e.hash));
    expect(history.map((e) => e.prevHash)).toEqual(['', ...history.slice(0, -1).map((e) => e.hash)]);
    const first = fromHeaders(ours[0]!.headers);
    expect(history[0]!.hash).toBe(eventHash('', unchained(first), ours[0]!.value!));
  });

  it('pages the history with a next link, by version', async () => {
    const pages: HistoryPage[] = [];
    let path: string | undefined = `/v1/streams/inventory/acme%2F${SKU}/events?limit=2`;
    while (path) {
      const answer = await get(`${queryApi}${path}`, reader);
      expect(answer.status).toBe(200);
      pages.push(body<HistoryPage>(answer));
      path = pages.at(-1)!.next;
    }
    expect(pages.map((p) => p.events.map((e) => e.version))).toEqual([[1, 2], [3, 4], [5]]);
    expect(pages[0]!.next).toBe(`/v1/streams/inventory/acme%2F${SKU}/events?fromVersion=3&limit=2`);
    expect(pages.every((p) => p.streamId === `acme/${SKU}` && p.context === 'inventory')).toBe(true);
    expect(pages.flatMap((p) => p.events)).toEqual(history);
    const from4 = body<HistoryPage>(await get(`${queryApi}/v1/streams/inventory/${SKU}/events?fromVersion=4`, reader));
    expect(from4.events.map((e) => e.version)).toEqual([4, 5]);
    expect(from4.next).toBeUndefined();
  });

  it.each([1, 2, 3, 4, 5])('answers the state at version %i as folding the first events by hand', async (n) => {
    const answer = await get(`${queryApi}/v1/streams/inventory/${SKU}?version=${n}`, reader);
    expect(answer.status).toBe(200);
    expect(body<StateView>(answer)).toEqual({
      context: 'inventory',
      streamId: `acme/${SKU}`,
      version: n,
      at: history[n - 1]!.time,
      state: foldByHand(history.slice(0, n)),
    });
  });

  it('answers the state at an instant between two events, and the newest by default', async () => {
    const between = new Date((Date.parse(history[2]!.time) + Date.parse(history[3]!.time)) / 2).toISOString();
    expect(Date.parse(between)).toBeGreaterThan(Date.parse(history[2]!.time));
    expect(Date.parse(between)).toBeLessThan(Date.parse(history[3]!.time));
    const atThen = body<StateView>(
      await get(`${queryApi}/v1/streams/inventory/${SKU}?at=${encodeURIComponent(between)}`, reader),
    );
    expect(atThen).toMatchObject({ version: 3, at: history[2]!.time, state: foldByHand(history.slice(0, 3)) });
    // By hand, in numbers: 10 + 5 received at berlin, 3 of them reserved, hamburg not yet.
    expect(atThen.state.locations.berlin!.onHand).toBe(15);
    expect(Object.keys(atThen.state.locations.berlin!.reservations ?? {})).toEqual(['r-1']);
    expect(atThen.state.locations.hamburg).toBeUndefined();

    const latest = body<StateView>(await get(`${queryApi}/v1/streams/inventory/${SKU}`, reader));
    expect(latest).toMatchObject({ version: 5, state: foldByHand(history) });
    expect(latest.state.locations.berlin!.onHand).toBe(12);
    expect(latest.state.locations.hamburg!.onHand).toBe(7);
  });

  const problemOf = (answer: Answer) => ({
    status: answer.status,
    contentType: answer.headers.get('content-type'),
    ...(JSON.parse(answer.text) as { code: string; detail: string; missingPermission?: string }),
  });

  it('answers a state past the kept one at version 500 as folding every event by hand', async () => {
    const sku = 'SKU-TT-LONG';
    const writer = { 'X-Tenant-Id': 'acme', 'X-Actor': 'alice' };
    const tokens: string[] = [];
    // 16 at a time: one stream's commands are decided in order whatever reaches the gateway first.
    for (let sent = 0; sent < 503; sent += 16) {
      const replies = await Promise.all(
        Array.from({ length: Math.min(16, 503 - sent) }, (_, i) =>
          postCommand(platform, 'inventory.ReceiveStock', { sku, location: 'berlin', quantity: sent + i + 1 }, writer),
        ),
      );
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        tokens.push(String(reply.body.consistencyToken));
      }
    }
    const fresh = { ...reader, 'X-Consistency-Token': tokens.at(-1)! };
    const events: StreamEventView[] = [];
    for (let path: string | undefined = `/v1/streams/inventory/${sku}/events?limit=1000`; path;) {
      const page: HistoryPage = body<HistoryPage>(await get(`${queryApi}${path}`, fresh));
      events.push(...page.events);
      path = page.next;
    }
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 503 }, (_, i) => i + 1));
    const kept = await platform.db
      .withSchema(platform.schema)
      .table('stream_states')
      .where({ stream_id: `acme/${sku}` })
      .select('version');
    expect(kept).toEqual([{ version: 500 }]);
    // Events decided in one batch share a time: an instant's state is the last one at or before it.
    const at = events[500]!.time;
    const atVersion = events.filter((e) => Date.parse(e.time) <= Date.parse(at)).at(-1)!.version;
    for (const [query, version] of [
      ['?version=499', 499],
      ['?version=500', 500],
      ['?version=502', 502],
      [`?at=${encodeURIComponent(at)}`, atVersion],
      ['', 503],
    ] as const) {
      const answer = await get(`${queryApi}/v1/streams/inventory/${sku}${query}`, fresh);
      expect({ query, status: answer.status }).toEqual({ query, status: 200 });
      const state = body<StateView>(answer);
      expect({ query, version: state.version }).toEqual({ query, version });
      expect(state.state).toEqual(foldByHand(events.slice(0, version)));
    }
  });

  it('refuses a request without a credential (401) and a reader of another context (403 naming the grant)', async () => {
    for (const path of [`/v1/streams/inventory/${SKU}`, `/v1/streams/inventory/${SKU}/events`]) {
      const anonymous = await get(`${queryApi}${path}`, {});
      expect(problemOf(anonymous)).toMatchObject({
        status: 401,
        contentType: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="verity"/);
      const catalogReader = await platform.credential({ tenant: 'acme', roles: ['reader:catalog'] });
      expect(problemOf(await get(`${queryApi}${path}`, catalogReader))).toMatchObject({
        status: 403,
        code: 'insufficient_permission',
        missingPermission: 'reader:inventory',
      });
    }
    // The grant is the one of the context named in the path.
    const catalogReader = await platform.credential({ tenant: 'acme', roles: ['reader:catalog'] });
    expect(problemOf(await get(`${queryApi}/v1/streams/catalog/${SKU}`, catalogReader))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it.each([
    ['an unknown context', `/v1/streams/nowhere/${SKU}`, 'context'],
    ['the access context', `/v1/streams/access/${SKU}`, 'context'],
    ['version 0', `/v1/streams/inventory/${SKU}?version=0`, 'version'],
    ['a negative version', `/v1/streams/inventory/${SKU}?version=-1`, 'version'],
    ['a fractional version', `/v1/streams/inventory/${SKU}?version=1.5`, 'version'],
    ['a time without an offset', `/v1/streams/inventory/${SKU}?at=2026-11-23T10:00:00`, 'at'],
    ['a time that is none', `/v1/streams/inventory/${SKU}?at=yesterday`, 'at'],
    ['both version and at', `/v1/streams/inventory/${SKU}?version=1&at=2026-11-23T10:00:00Z`, 'version, at'],
    ['an unknown parameter', `/v1/streams/inventory/${SKU}?verson=1`, 'verson'],
    ['limit 0', `/v1/streams/inventory/${SKU}/events?limit=0`, 'limit'],
    ['limit above 1000', `/v1/streams/inventory/${SKU}/events?limit=1001`, 'limit'],
    ['fromVersion 0', `/v1/streams/inventory/${SKU}/events?fromVersion=0`, 'fromVersion'],
    ['a stream id with an empty tenant', `/v1/streams/inventory/%2F${SKU}`, 'streamId'],
  ])('answers 400 for %s', async (_name, path, param) => {
    const problem = problemOf(await get(`${queryApi}${path}`, reader));
    expect(problem).toMatchObject({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      code: 'validation_failed',
    });
    expect(problem.detail.startsWith(`${param}:`)).toBe(true);
  });

  it('answers 400 for a consistency token of a topic the history is not built from', async () => {
    const foreign = encodeConsistencyToken({ topic: 'elsewhere.events', offsets: { 0: '1' } });
    const problem = problemOf(
      await get(`${queryApi}/v1/streams/inventory/${SKU}/events`, { ...reader, 'X-Consistency-Token': foreign }),
    );
    expect(problem).toMatchObject({ status: 400, code: 'invalid_consistency_token' });
  });

  it('answers 404 for an unknown stream, a version not yet reached and an instant before the first event', async () => {
    for (const path of [
      '/v1/streams/inventory/SKU-NOBODY',
      '/v1/streams/inventory/SKU-NOBODY/events',
      `/v1/streams/inventory/${SKU}?version=6`,
      `/v1/streams/inventory/${SKU}?at=2000-01-01T00:00:00Z`,
    ])
      expect({ path, ...problemOf(await get(`${queryApi}${path}`, reader)) }).toMatchObject({
        path,
        status: 404,
        code: 'not_found',
      });
  });

  it("never shows one tenant's stream to another", async () => {
    const globex = await platform.credential({ tenant: 'globex', roles: ['reader'] });
    for (const path of [
      `/v1/streams/inventory/acme%2F${SKU}`,
      `/v1/streams/inventory/acme%2F${SKU}/events`,
      `/v1/streams/inventory/${SKU}`,
      `/v1/streams/inventory/${SKU}/events`,
    ]) {
      const answer = await get(`${queryApi}${path}`, globex);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.text).not.toContain('alice');
    }
    // Naming acme in X-Tenant-Id is refused before anything is read.
    expect((await get(`${queryApi}/v1/streams/inventory/${SKU}`, { ...globex, 'X-Tenant-Id': 'acme' })).status).toBe(
      403,
    );
  });
});
