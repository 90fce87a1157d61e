import { fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const RECEIVE = 'inventory.ReceiveStock';

describe('the command API over the real stack', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;

  beforeAll(async () => {
    platform = await startTestPlatform();
    topics = contextTopics('inventory', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const eventsOf = async (streamId: string, atLeast: number) =>
    (await platform.readTopic(topics.events, (m) => m.filter((r) => r.key?.toString() === streamId).length >= atLeast))
      .filter((r) => r.key?.toString() === streamId)
      .map((r) => fromHeaders(r.headers));

  describe('idempotency', () => {
    it('the same command sent 5 times with one key yields one event and five identical answers', async () => {
      const body = { sku: 'SKU-IDEM', location: 'rome', quantity: 4 };
      const headers = { 'Idempotency-Key': 'idem-sequential-1' };
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await postCommand(platform, RECEIVE, body, headers));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
      expect(answers[0]!.body).toMatchObject({ commandId: 'idem-sequential-1', version: 1 });
      // A later, different command proves the stream went on from version 1: the repeats appended nothing.
      expect((await postCommand(platform, RECEIVE, { ...body, quantity: 1 })).body).toMatchObject({ version: 2 });
      expect((await eventsOf('default/SKU-IDEM', 2)).map((m) => m.streamVersion)).toEqual([1, 2]);
    });

    it('the same command sent 5 times concurrently with one key yields one event and five identical answers', async () => {
      const body = { sku: 'SKU-IDEM-C', location: 'rome', quantity: 7 };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          postCommand(platform, RECEIVE, body, { 'Idempotency-Key': 'idem-concurrent-1' }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
      expect((await postCommand(platform, RECEIVE, { ...body, quantity: 1 })).body).toMatchObject({ version: 2 });
      const events = await eventsOf('default/SKU-IDEM-C', 2);
      expect(events.map((m) => [m.streamVersion, m.causationId])).toEqual([
        [1, 'idem-concurrent-1'],
        [2, expect.any(String)],
      ]);
    });

    it('the same key with a different body is 422 and appends nothing', async () => {
      expect(
        (
          await postCommand(
            platform,
            RECEIVE,
            { sku: 'SKU-REUSE', location: 'rome', quantity: 1 },
            { 'Idempotency-Key': 'idem-reuse' },
          )
        ).status,
      ).toBe(200);
      const before = await platform.endOffsets(topics.events);
      const reused = await postCommand(
        platform,
        RECEIVE,
        { sku: 'SKU-REUSE', location: 'rome', quantity: 2 },
        { 'Idempotency-Key': 'idem-reuse' },
      );
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', commandId: 'idem-reuse' });
      expect(await platform.endOffsets(topics.events)).toEqual(before);
    });
  });

  describe('optimistic concurrency', () => {
    it('of N concurrent commands expecting the same version exactly one is accepted, the rest are 409, versions have no gaps', async () => {
      expect(
        (await postCommand(platform, RECEIVE, { sku: 'SKU-RACE', location: 'lima', quantity: 1 })).body,
      ).toMatchObject({ version: 1 });
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          postCommand(
            platform,
            RECEIVE,
            { sku: 'SKU-RACE', location: 'lima', quantity: i + 1 },
            { 'X-Expected-Version': '1' },
          ),
        ),
      );
      const accepted = answers.filter((a) => a.status === 200);
      const conflicts = answers.filter((a) => a.status === 409);
      expect(accepted).toHaveLength(1);
      expect(accepted[0]!.headers.get('etag')).toBe('"2"');
      expect(conflicts).toHaveLength(7);
      for (const c of conflicts)
        expect(c.body).toMatchObject({ code: 'version_conflict', currentVersion: 2, expectedVersion: 1 });
      expect((await eventsOf('default/SKU-RACE', 2)).map((m) => m.streamVersion)).toEqual([1, 2]);
    });

    it('a stale If-Match is 412 with the current version; a fresh one is accepted with the next ETag', async () => {
      const first = await postCommand(platform, RECEIVE, { sku: 'SKU-IFM', location: 'lima', quantity: 1 });
      expect(first.headers.get('etag')).toBe('"1"');
      const stale = await postCommand(
        platform,
        RECEIVE,
        { sku: 'SKU-IFM', location: 'lima', quantity: 1 },
        { 'If-Match': '"0"' },
      );
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 1 });
      const fresh = await postCommand(
        platform,
        RECEIVE,
        { sku: 'SKU-IFM', location: 'lima', quantity: 1 },
        { 'If-Match': '"1"' },
      );
      expect(fresh.status).toBe(200);
      expect(fresh.headers.get('etag')).toBe('"2"');
    });
  });

  describe('durable outcomes', () => {
    it('GET /v1/commands/<id> returns an accepted outcome to its tenant only', async () => {
      const posted = await postCommand(
        platform,
        RECEIVE,
        { sku: 'SKU-OUT', location: 'kyiv', quantity: 3 },
        { 'Idempotency-Key': 'outcome-1', 'X-Tenant-Id': 'acme' },
      );
      expect(posted.status).toBe(200);
      const res = await fetch(`${platform.urls.gateway}/v1/commands/outcome-1`, {
        headers: await withCredential(platform, { 'X-Tenant-Id': 'acme' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'accepted', ...posted.body });
      const other = await fetch(`${platform.urls.gateway}/v1/commands/outcome-1`, {
        headers: await withCredential(platform, { 'X-Tenant-Id': 'globex' }),
      });
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
    });

    it('GET /v1/commands/<id> returns a rejection with its reason, and 404 for an unknown id', async () => {
      await postCommand(
        platform,
        RECEIVE,
        { sku: 'SKU-REJ', location: 'kyiv', quantity: 3 },
        { 'Idempotency-Key': 'outcome-rejected', 'X-Expected-Version': '5' },
      );
      const res = await fetch(`${platform.urls.gateway}/v1/commands/outcome-rejected`, {
        headers: await platform.credential(),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'rejected',
        code: 'version_conflict',
        reason: expect.stringContaining('expected version 5'),
      });
      const unknown = await fetch(`${platform.urls.gateway}/v1/commands/never-sent`, {
        headers: await platform.credential(),
      });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { code: string }).code).toBe('unknown_command');
    });
  });

  describe('read-your-writes', () => {
    it("a query with the reply's consistency token sees the write and says it is fresh", async () => {
      const posted = await postCommand(platform, RECEIVE, { sku: 'SKU-RYW', location: 'nice', quantity: 9 });
      const token = posted.headers.get('x-consistency-token')!;
      const res = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-RYW`, {
        headers: await withCredential(platform, { 'X-Consistency-Token': token }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-consistency')).toBe('fresh');
      expect(await res.json()).toMatchObject({ version: 1, totals: { onHand: 9 } });
      // Every later write is seen too, never the value it replaced.
      for (const quantity of [1, 1, 1]) {
        const next = await postCommand(platform, RECEIVE, { sku: 'SKU-RYW', location: 'nice', quantity });
        const read = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-RYW`, {
          headers: await withCredential(platform, { 'X-Consistency-Token': next.headers.get('x-consistency-token')! }),
        });
        expect(((await read.json()) as { version: number }).version).toBe(next.body.version);
      }
    });

    it('a malformed token is a 400 problem', async () => {
      const res = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-RYW`, {
        headers: await withCredential(platform, { 'X-Consistency-Token': 'garbage' }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('invalid_consistency_token');
    });
  });

  describe('records that are not commands', () => {
    it('go to the dead-letter topic with a reason, and the partition moves on', async () => {
      const producer = platform.kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topics.commands,
        messages: [
          { key: 'default/SKU-DLQ', value: Buffer.from([0, 1, 2, 3]) },
          { key: 'default/SKU-DLQ', value: JSON.stringify({ hello: 'world' }) },
        ],
      });
      await producer.disconnect();
      const after = await postCommand(platform, RECEIVE, { sku: 'SKU-DLQ', location: 'bern', quantity: 2 });
      expect(after.status).toBe(200);
      const dead = await platform.readTopic(topics.deadLetters, (m) => m.length >= 2);
      const reasons = dead.map((m) => m.headers?.verity_dlq_reason?.toString());
      expect(reasons).toEqual([
        expect.stringMatching(/^not JSON/),
        expect.stringMatching(/^not a command envelope: .*commandId/),
      ]);
      expect(dead[0]!.value).toEqual(Buffer.from([0, 1, 2, 3]));
      await eventually(
        async () => {
          const metrics = await (await fetch(`${platform.urls['command-processor']}/metrics`)).text();
          return /verity_commands_dead_lettered_total\{context="inventory"\} 2/.test(metrics) ? true : undefined;
        },
        10_000,
        'dead-letter metric',
      );
    });
  });
});

describe('a command whose outcome takes longer than the bound', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // No processor yet: the gateway cannot get an answer in time.
    platform = await startTestPlatform(['gateway']);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('is answered 202 with a status URL that later returns the outcome', async () => {
    const res = await postCommand(
      platform,
      RECEIVE,
      { sku: 'SKU-SLOW', location: 'oslo', quantity: 1 },
      { 'Idempotency-Key': 'slow-1' },
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe('/v1/commands/slow-1');
    expect(res.body).toEqual({ commandId: 'slow-1', status: 'pending' });

    await platform.startService('command-processor');
    const outcome = await eventually(
      async () => {
        const r = await fetch(`${platform.urls.gateway}/v1/commands/slow-1`, { headers: await platform.credential() });
        const body = (await r.json()) as { status?: string };
        return r.status === 200 && body.status === 'accepted' ? body : undefined;
      },
      30_000,
      'accepted outcome',
    );
    expect(outcome).toMatchObject({
      status: 'accepted',
      commandId: 'slow-1',
      version: 1,
      streamId: 'default/SKU-SLOW',
    });
  });
});
