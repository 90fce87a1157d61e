import { contextTopics } from '@verity/events';
import { freePort } from './launcher/free-port';
import { createService } from './services';
import { readToEnd } from './testing/read-to-end';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

/** Requests a credential may make per window here: low, so that a short burst goes beyond it. */
const LIMIT = 5;
const BURST = 12;
/**
 * Long enough that what refills while the burst is being received stays under BURST - 2 * LIMIT
 * even on a slow, loaded machine (a 1 s window let an 11th command through when the burst took
 * over a second to arrive).
 */
const WINDOW_S = 3;
const RECEIVE = 'inventory.ReceiveStock';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const answerOf = async (res: Response): Promise<Answer> => {
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
};

/** A refusal as RFC 6585 and the RateLimit header fields draft have it, in problem+json. */
function expectRefusal(answer: Answer): void {
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.body).toMatchObject({ status: 429, code: 'rate_limited', limit: 'credential' });
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(answer.headers.get('ratelimit-limit')).toBe(String(LIMIT));
  expect(answer.headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(answer.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
}

/** Waits out the window a refusal names. */
const afterWindow = (refusal: Answer) =>
  new Promise((r) => setTimeout(r, Number(refusal.headers.get('retry-after')) * 1000 + 200));

describe('rate limits per credential at the gateway and the query-api', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, {
      env: {
        VERITY_RATE_LIMIT_READER: String(LIMIT),
        VERITY_RATE_LIMIT_WRITER: String(LIMIT),
        VERITY_RATE_LIMIT_ADMIN: String(LIMIT),
        VERITY_RATE_LIMIT_WINDOW_S: String(WINDOW_S),
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('a reader bursting past its limit gets 429 with Retry-After and RateLimit-*, and passes again after the window', async () => {
    const reader = await platform.credential({ tenant: 'acme', roles: ['reader'], subject: 'burst-reader' });
    const read = async () =>
      answerOf(
        await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-RATE`, {
          headers: { ...reader, 'X-Tenant-Id': 'acme' },
        }),
      );
    const burst = await Promise.all(Array.from({ length: BURST }, read));
    const refused = burst.filter((a) => a.status === 429);
    const passed = burst.filter((a) => a.status !== 429);
    // A SKU no one received: the reads that pass are answered 404, past the limit they are 429.
    expect(passed.map((a) => a.status)).toEqual(passed.map(() => 404));
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(BURST - 2 * LIMIT);
    for (const answer of passed) expect(answer.headers.get('ratelimit-limit')).toBe(String(LIMIT));
    expectRefusal(refused[0]!);

    // Another credential has a budget of its own.
    const other = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-RATE`, {
      headers: { ...(await platform.credential({ tenant: 'acme', roles: ['reader'], subject: 'calm-reader' })) },
    });
    expect(other.status).not.toBe(429);

    await afterWindow(refused[0]!);
    expect((await read()).status).toBe(404);
  });

  it('a client address past its limit gets 429 whatever credential it shows, or none, and passes after the window', async () => {
    // A second query-api held to 4 requests a second per address (the platform's own allows 2000).
    const strict = createService('query-api', { ...platform.env, VERITY_RATE_LIMIT_ADDRESS: '4' });
    try {
      const url = (await strict.start()).url;
      const callers = [
        ...(await Promise.all(
          ['addr-1', 'addr-2', 'addr-3'].map((subject) =>
            platform.credential({ tenant: 'acme', roles: ['reader'], subject }),
          ),
        )),
        ...Array.from({ length: 7 }, () => ({})),
      ];
      const read = async (headers: Record<string, string>) =>
        answerOf(await fetch(`${url}/v1/inventory/SKU-RATE`, { headers }));
      const burst = await Promise.all(callers.map(read));
      const refused = burst.filter((a) => a.status === 429);
      // Passed: a reader's 404 or an anonymous 401; the rest were refused for the address they share.
      expect(burst.filter((a) => a.status !== 429).every((a) => a.status === 404 || a.status === 401)).toBe(true);
      expect(refused.length).toBeGreaterThanOrEqual(callers.length - 2 * 4);
      expect(refused[0]!.body).toMatchObject({ status: 429, code: 'rate_limited', limit: 'address' });
      expect(refused[0]!.headers.get('ratelimit-limit')).toBe('4');
      expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await afterWindow(refused[0]!);
      expect((await read(callers[0]!)).status).toBe(404);
    } finally {
      await strict.stop();
    }
  });

  it('with its Redis unreachable, a gateway still holds a credential to its limit, from memory', async () => {
    // A port nothing listens on: every Redis command fails at once, and the instance's own buckets decide.
    const down = createService('gateway', {
      ...platform.env,
      VERITY_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      // A token back every 6 s: the burst's answers cannot depend on how fast the machine sends it.
      VERITY_RATE_LIMIT_WINDOW_S: '30',
    });
    try {
      const url = (await down.start()).url;
      const reader = await platform.credential({ tenant: 'acme', roles: ['reader'], subject: 'reader-no-redis' });
      const started = Date.now();
      const burst = await Promise.all(
        Array.from({ length: LIMIT + 2 }, async () =>
          answerOf(await fetch(`${url}/v1/commands/unknown-command`, { headers: reader })),
        ),
      );
      expect(burst.map((a) => a.status).sort()).toEqual([
        ...Array<number>(LIMIT).fill(404),
        ...Array<number>(2).fill(429),
      ]);
      expectRefusal(burst.find((a) => a.status === 429)!);
      // Answered from memory, not after Redis timeouts.
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await down.stop();
    }
  });

  it('a writer bursting past its limit gets 429, nothing of the refused commands is appended, and it passes after the window', async () => {
    const topics = contextTopics('inventory', platform.prefix);
    const writer = await platform.credential({ tenant: 'acme', roles: ['writer'], subject: 'burst-writer' });
    const send = async (n: number) =>
      answerOf(
        await fetch(`${platform.urls.gateway}/v1/commands/${RECEIVE}`, {
          method: 'POST',
          headers: { ...writer, 'content-type': 'application/json', 'Idempotency-Key': `rate-${n}` },
          body: JSON.stringify({ sku: `SKU-RATE-${n}`, location: 'berlin', quantity: 1 }),
        }),
      );
    const burst = await Promise.all(Array.from({ length: BURST }, (_, n) => send(n)));
    const refused = burst.filter((a) => a.status === 429);
    const accepted = burst.filter((a) => a.status === 200 || a.status === 202);
    expect(accepted.length + refused.length).toBe(BURST);
    expect(refused.length).toBeGreaterThanOrEqual(BURST - 2 * LIMIT);
    expectRefusal(refused[0]!);

    // The log holds the accepted commands, and none of the refused.
    const logged = (await readToEnd(platform.kafka, platform.admin, topics.commands, platform.prefix)).map(
      ({ message }) => (JSON.parse(message.value!.toString()) as { commandId: string }).commandId,
    );
    const ids = (status: (s: number) => boolean) => burst.flatMap((a, n) => (status(a.status) ? [`rate-${n}`] : []));
    expect(logged.filter((id) => id.startsWith('rate-')).sort()).toEqual(ids((s) => s !== 429).sort());

    await afterWindow(refused[0]!);
    expect((await send(BURST)).status).toBe(200);

    const metrics = await (await fetch(`${platform.urls.gateway}/metrics`)).text();
    expect(metrics).toMatch(/^verity_rate_limited_total\{scope="credential"\} [1-9]/m);
  });
});
