import type { KafkaMessage } from 'kafkajs';
import { fromHeaders } from '@verity/core';
import { contextTopics, repliesTopic } from '@verity/events';
import { readToEnd } from './testing/read-to-end';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

const TICK_MS = 200;
const STREAM = 'acme/SKU-TIMER';

describe('reservations expire on their own through the real stack: the processor sends ExpireReservations when one is due', () => {
  let platform: TestPlatform;
  let topics: ReturnType<typeof contextTopics>;

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, { env: { VERITY_TIMER_INTERVAL_MS: String(TICK_MS) } });
    topics = contextTopics('inventory', platform.prefix);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const readAll = async (topic: string): Promise<KafkaMessage[]> =>
    (await readToEnd(platform.kafka, platform.admin, topic, platform.prefix)).map((r) => r.message);
  const ofStream = (messages: KafkaMessage[]) => messages.filter((m) => m.key?.toString() === STREAM);
  const expiredOf = (messages: KafkaMessage[]) =>
    ofStream(messages).filter((m) => m.headers?.ce_type?.toString() === 'verity.inventory.ReservationExpired');
  const timerCommandsOf = (messages: KafkaMessage[]) =>
    ofStream(messages).filter(
      (m) => (JSON.parse(m.value!.toString()) as { metadata: { actor: string } }).metadata.actor === 'system:timer',
    );

  async function stock(token?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { 'X-Tenant-Id': 'acme' };
    if (typeof token === 'string') headers['X-Consistency-Token'] = token;
    const res = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-TIMER`, {
      headers: await withCredential(platform, headers),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it('a reservation past its expiresAt is expired by the timer (actor system:timer, time of the check), ATP is whole again, exactly once', async () => {
    const receive = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'SKU-TIMER', location: 'berlin', quantity: 10 },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(receive.status).toBe(200);
    const expiresAt = new Date(Date.now() + 2_000).toISOString();
    const reserve = await postCommand(
      platform,
      'inventory.ReserveStock',
      { sku: 'SKU-TIMER', location: 'berlin', quantity: 4, reservationId: 'cart-1', expiresAt },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(reserve).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await stock(reserve.body.consistencyToken)).toMatchObject({
      version: 2,
      totals: { onHand: 10, reserved: 4, available: 6 },
    });

    // Nobody sends ExpireReservations: the event appears by itself.
    const [record] = expiredOf(await platform.readTopic(topics.events, (m) => expiredOf(m).length > 0, 15_000));
    expect(await platform.registry.decode(record!.value!)).toEqual({
      sku: 'SKU-TIMER',
      reservationId: 'cart-1',
      location: 'berlin',
      quantity: 4,
      expiresAt,
    });
    expect(record!.headers?.ce_actor?.toString()).toBe('system:timer');
    const metadata = fromHeaders(record!.headers);
    expect(metadata).toMatchObject({ subject: STREAM, streamVersion: 3, tenant: 'acme', actor: 'system:timer' });
    expect(metadata.causationId).toMatch(/^timer:inventory\.ExpireReservations:[0-9a-f]{40}$/);
    // The time given to the decider is the check's: at or after the expiry, within a few ticks of it.
    expect(Date.parse(metadata.time)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect(Date.parse(metadata.time)).toBeLessThan(Date.parse(expiresAt) + 5_000);

    await eventually(async () => ((await stock()).version === 3 ? true : undefined), 15_000, 'read model at version 3');
    expect(await stock()).toMatchObject({
      version: 3,
      locations: [{ location: 'berlin', onHand: 10, reserved: 0, buffer: 0, available: 10 }],
      totals: { onHand: 10, reserved: 0, available: 10 },
    });

    // A few more ticks: nothing more is due, nothing more is sent or appended.
    await new Promise((r) => setTimeout(r, 6 * TICK_MS));
    expect(expiredOf(await readAll(topics.events))).toHaveLength(1);
    expect(timerCommandsOf(await readAll(topics.commands))).toHaveLength(1);
    const metrics = await (await fetch(`${platform.urls['command-processor']}/metrics`)).text();
    expect(metrics).toMatch(/^verity_timer_commands_sent_total\{context="inventory"\} 1$/m);
  });

  it('the same timer command sent again (as after a restart) is answered from the stream and appends nothing', async () => {
    const [sent] = timerCommandsOf(await readAll(topics.commands));
    const envelope = JSON.parse(sent!.value!.toString()) as { commandId: string };
    const replies = async () =>
      (await readAll(repliesTopic(platform.prefix)))
        .filter((m) => m.key?.toString() === envelope.commandId)
        .map((m) => JSON.parse(m.value!.toString()) as Record<string, unknown>);
    const [original] = await replies();
    expect(original).toMatchObject({
      status: 'accepted',
      streamId: STREAM,
      version: 3,
      events: [{ type: 'verity.inventory.ReservationExpired' }],
    });
    const eventsBefore = await platform.endOffsets(topics.events);

    const producer = platform.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: topics.commands, messages: [{ key: STREAM, value: sent!.value }], acks: -1 });
    } finally {
      await producer.disconnect();
    }

    const answers = await eventually(
      async () => {
        const all = await replies();
        return all.length >= 2 ? all : undefined;
      },
      15_000,
      'the repeat answered',
    );
    expect(answers[1]).toEqual(original);
    expect(await platform.endOffsets(topics.events)).toEqual(eventsBefore);
    expect(ofStream(await readAll(topics.events))).toHaveLength(3);
  });
});
