import { ConfigResourceTypes } from 'kafkajs';
import type { CommandReply } from '@verity/core';
import { COMMAND_OUTCOMES_TABLE, contextTopics, repliesTopic } from '@verity/events';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const RECEIVE = 'inventory.ReceiveStock';

/** A gauge or counter of a service's /metrics, without labels. */
async function metric(url: string | undefined, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in ${url}/metrics`);
  return Number(line.slice(name.length + 1));
}

async function getOutcome(platform: TestPlatform, commandId: string, tenant: string) {
  const res = await fetch(`${platform.urls.gateway}/v1/commands/${commandId}`, {
    headers: await withCredential(platform, { 'X-Tenant-Id': tenant }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** Whether the projector has recorded the command's outcome, and how many rows it has for it. */
async function outcomeRows(platform: TestPlatform, commandId: string): Promise<number> {
  const rows = await platform.db
    .withSchema(platform.schema)
    .table(COMMAND_OUTCOMES_TABLE)
    .where({ command_id: commandId });
  return rows.length;
}

describe('a gateway started after many outcomes', () => {
  const PAST = 20_000;
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector']);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('reads none of them, holds none, is ready, answers new commands, and finds old ones in the read model', async () => {
    // Written the way the processor writes replies, directly: JSON keyed by command id.
    const producer = platform.kafka.producer();
    await producer.connect();
    for (let start = 0; start < PAST; start += 1000) {
      await producer.send({
        topic: repliesTopic(platform.prefix),
        messages: Array.from({ length: 1000 }, (_, i) => {
          const reply: CommandReply = {
            status: 'accepted',
            commandId: `past-${start + i}`,
            fingerprint: `f-${start + i}`,
            streamId: `acme/SKU-PAST-${start + i}`,
            version: 1,
            events: [],
            consistencyToken: 'tok',
          };
          return { key: reply.commandId, value: JSON.stringify(reply) };
        }),
      });
    }
    await producer.disconnect();

    await platform.startService('gateway');
    const gateway = platform.urls.gateway;
    expect((await fetch(`${gateway}/ready`)).status).toBe(200);
    expect(await metric(gateway, 'verity_gateway_replies_read_total')).toBe(0);
    expect(await metric(gateway, 'verity_gateway_replies_held')).toBe(0);

    const posted = await postCommand(platform, RECEIVE, { sku: 'SKU-AFTER', location: 'oslo', quantity: 1 });
    expect(posted.status).toBe(200);
    expect(await metric(gateway, 'verity_gateway_replies_read_total')).toBe(1);
    expect(await metric(gateway, 'verity_gateway_replies_held')).toBe(1);

    // An old outcome is the read model's, not this gateway's memory.
    const old = await eventually(
      async () => {
        const res = await getOutcome(platform, `past-${PAST - 1}`, 'acme');
        return res.status === 200 ? res : undefined;
      },
      60_000,
      'the last past outcome recorded',
    );
    expect(old.body).toMatchObject({ status: 'accepted', commandId: `past-${PAST - 1}` });
    expect(await metric(gateway, 'verity_gateway_replies_held')).toBe(1);
  });
});

describe('outcomes after a gateway restart', () => {
  let platform: TestPlatform;
  const body = { sku: 'SKU-RESTART', location: 'rome', quantity: 2 };
  const headers = { 'Idempotency-Key': 'restart-1', 'X-Tenant-Id': 'acme' };
  let original: Awaited<ReturnType<typeof postCommand>>;

  beforeAll(async () => {
    platform = await startTestPlatform();
    original = await postCommand(platform, RECEIVE, body, headers);
    expect(original.status).toBe(200);
    await eventually(async () => ((await outcomeRows(platform, 'restart-1')) === 1 ? true : undefined));
    await platform.stopService('gateway');
    await platform.startService('gateway');
    expect(await metric(platform.urls.gateway, 'verity_gateway_replies_held')).toBe(0);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('GET /v1/commands/<id> of an old command answers from the read model, to its tenant only', async () => {
    const own = await getOutcome(platform, 'restart-1', 'acme');
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ status: 'accepted', ...original.body });
    const other = await getOutcome(platform, 'restart-1', 'globex');
    expect(other.status).toBe(404);
    expect(other.type).toContain('application/problem+json');
    expect(other.body).toMatchObject({ code: 'unknown_command' });
  });

  it('a repeated Idempotency-Key with the same body answers the original and sends nothing; another body is 422', async () => {
    const topics = contextTopics('inventory', platform.prefix);
    const before = {
      commands: await platform.endOffsets(topics.commands),
      events: await platform.endOffsets(topics.events),
    };
    const repeat = await postCommand(platform, RECEIVE, body, headers);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(original.body);
    expect(repeat.headers.get('etag')).toBe(original.headers.get('etag'));

    const reused = await postCommand(platform, RECEIVE, { ...body, quantity: 3 }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', commandId: 'restart-1' });

    // Both were answered from the recorded outcome: nothing reached the processor, nothing was appended.
    expect(await platform.endOffsets(topics.commands)).toEqual(before.commands);
    expect(await platform.endOffsets(topics.events)).toEqual(before.events);
  });
});

describe('outcomes outside the window', () => {
  const WINDOW_MS = 3_000;
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, { env: { VERITY_OUTCOME_RETENTION_MS: String(WINDOW_MS) } });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('keeps the replies topic compacted and deleted after the window', async () => {
    const { resources } = await platform.admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: repliesTopic(platform.prefix) }],
      includeSynonyms: false,
    });
    const settings = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(settings).toMatchObject({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(WINDOW_MS) });
  });

  it('are forgotten: the row is deleted and GET answers 404', async () => {
    const posted = await postCommand(
      platform,
      RECEIVE,
      { sku: 'SKU-WINDOW', location: 'oslo', quantity: 1 },
      { 'Idempotency-Key': 'window-1' },
    );
    expect(posted.status).toBe(200);
    const sentAt = Date.now();
    expect((await getOutcome(platform, 'window-1', 'default')).status).toBe(200);
    await eventually(async () => ((await outcomeRows(platform, 'window-1')) === 1 ? true : undefined));

    await eventually(
      async () => ((await outcomeRows(platform, 'window-1')) === 0 ? true : undefined),
      20_000,
      'the expired outcome deleted',
    );
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(WINDOW_MS - 500);
    const gone = await getOutcome(platform, 'window-1', 'default');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'unknown_command', commandId: 'window-1' });
  });

  it('a repeated Idempotency-Key past the window is a new command: the stream no longer answers it with the first reply', async () => {
    const body = { sku: 'SKU-LATE', location: 'oslo', quantity: 2 };
    const first = await postCommand(platform, RECEIVE, body, { 'Idempotency-Key': 'window-2' });
    expect(first.status).toBe(200);
    const within = await postCommand(platform, RECEIVE, body, { 'Idempotency-Key': 'window-2' });
    expect(within.body).toEqual(first.body);

    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 500));
    const late = await postCommand(platform, RECEIVE, body, { 'Idempotency-Key': 'window-2' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ commandId: 'window-2', version: (first.body.version as number) + 1 });
  });
});
