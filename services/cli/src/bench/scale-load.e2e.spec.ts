import {
  AvroSerde,
  SchemaCatalog,
  auditVerify,
  contextTopics,
  createLogger,
  createRdKafka,
  repliesTopic,
} from '@verity/events';
import { parseEnv, platformEnvSchema } from '@verity/service-kit';
import {
  eventually,
  postCommand,
  startTestPlatform,
  withCredential,
  type TestPlatform,
} from '../testing/test-platform';
import { metricValue } from './metrics-text';
import { loadScale, type ScaleLoad } from './scale-load';
import { LOAD_ACTOR, loadedStream } from './scale-streams';

const SHAPE = { streams: 300, tenants: 3, outcomes: 700 };
const PARTITIONS = 4;
const RECEIVE = 'inventory.ReceiveStock';

/** Records of a topic, summed over its partitions (nothing is deleted from a fresh topic). */
async function recordsOf(platform: TestPlatform, topic: string): Promise<number> {
  const ends = await platform.endOffsets(topic);
  return Object.values(ends).reduce((sum, end) => sum + Number(end), 0);
}

async function metricsOf(url: string | undefined): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe('the scale bench loader', () => {
  let platform: TestPlatform;
  let loaded: ScaleLoad;
  /** Records per topic right after the load, before the processor's timer can expire a loaded reservation. */
  let written: { events: number; states: number; replies: number };
  const topics = () => contextTopics('inventory', platform.prefix);

  beforeAll(async () => {
    platform = await startTestPlatform([], { env: { VERITY_PARTITIONS: String(PARTITIONS) } });
    const config = parseEnv(platformEnvSchema, platform.env);
    const rdkafka = createRdKafka({
      brokers: config.VERITY_KAFKA_BROKERS,
      clientId: `${platform.prefix}-loader`,
      logger: createLogger('scale-load-spec', 'error'),
    });
    loaded = await loadScale({
      rdkafka,
      admin: platform.admin,
      serde: new AvroSerde(platform.registry, SchemaCatalog.load()),
      prefix: platform.prefix,
      shape: SHAPE,
      partitions: PARTITIONS,
      replicationFactor: config.VERITY_REPLICATION_FACTOR,
      outcomeWindowMs: config.VERITY_OUTCOME_RETENTION_MS,
      progress: () => undefined,
    });
    written = {
      events: await recordsOf(platform, topics().events),
      states: await recordsOf(platform, topics().state),
      replies: await recordsOf(platform, repliesTopic(platform.prefix)),
    };
    // Started after the load, as the bench starts them: the processor restores what was loaded.
    await platform.startService('command-processor');
    await platform.startService('gateway');
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
  });

  it('writes an event and a snapshot per stream, one more event per reservation, and the outcomes', async () => {
    // Streams 99, 199 and 299 hold a reservation: two events each.
    expect(loaded).toMatchObject({
      events: 303,
      states: 300,
      outcomes: 700,
      expiries: [expect.any(Number), expect.any(Number), expect.any(Number)],
    });
    expect(written).toEqual({ events: 303, states: 300, replies: 700 });
  });

  it('the processor decides on a loaded stream: version 2, chained to the loaded event', async () => {
    const { tenant, sku, streamId } = loadedStream(7, SHAPE.tenants);
    const res = await postCommand(platform, RECEIVE, { sku, location: 'oslo', quantity: 3 }, { 'X-Tenant-Id': tenant });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ streamId, version: 2 });

    const { events, report } = await auditVerify({ kafka: platform.kafka, topic: topics().events, streamId });
    expect(report).toMatchObject({ ok: true, events: 2, lastVersion: 2 });
    const [first, second] = events;
    expect(first!.metadata).toMatchObject({ streamVersion: 1, actor: LOAD_ACTOR, prevHash: '' });
    expect(second!.metadata).toMatchObject({ streamVersion: 2, prevHash: first!.metadata.hash });
  });

  it('answers a repeat of a loaded command from the loaded snapshot, appending nothing', async () => {
    const { tenant, sku, streamId } = loadedStream(5, SHAPE.tenants);
    const before = await auditVerify({ kafka: platform.kafka, topic: topics().events, streamId });
    // Stream 5's load command, as loadCommands made it: same id, same payload.
    const res = await postCommand(
      platform,
      RECEIVE,
      { sku, location: 'hamburg', quantity: 100 },
      { 'X-Tenant-Id': tenant, 'Idempotency-Key': 'scale-5-1' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      commandId: 'scale-5-1',
      version: 1,
      events: [{ offset: before.events[0]!.offset, partition: before.events[0]!.partition }],
    });
    const after = await auditVerify({ kafka: platform.kafka, topic: topics().events, streamId });
    expect(after.events).toHaveLength(1);
  });

  it('a loaded reservation already expired is found due and expired by the timer', async () => {
    // Stream 99 is the first reserved one: its expiry is the earliest of the spread, before the load.
    const { streamId } = loadedStream(99, SHAPE.tenants);
    expect(loaded.expiries[0]).toBeLessThan(Date.now());
    const { events } = await eventually(
      async () => {
        const read = await auditVerify({ kafka: platform.kafka, topic: topics().events, streamId });
        return read.events.length === 3 ? read : undefined;
      },
      30_000,
      'the reservation expired',
    );
    expect(events.map((e) => e.metadata.type)).toEqual([
      'verity.inventory.StockReceived',
      'verity.inventory.StockReserved',
      'verity.inventory.ReservationExpired',
    ]);
    // A check is timed when it ends, which can be after the command it sent was decided.
    const checks = await eventually(
      async () =>
        metricValue(await metricsOf(platform.urls['command-processor']), 'verity_timer_check_seconds_count', {
          context: 'inventory',
        }),
      10_000,
      'a timed timer check',
    );
    expect(checks).toBeGreaterThan(0);
  });

  it('the gateway started without reading the loaded outcomes', async () => {
    const metrics = await metricsOf(platform.urls.gateway);
    // Only replies written since it started: of the commands this suite sent and the timers', not the 700 loaded.
    expect(metricValue(metrics, 'verity_gateway_replies_read_total')).toBeLessThanOrEqual(10);
    const res = await fetch(`${platform.urls.gateway}/v1/commands/scale-past-0`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': loadedStream(0, SHAPE.tenants).tenant }),
    });
    expect(res.status).toBe(404);
  });
});
