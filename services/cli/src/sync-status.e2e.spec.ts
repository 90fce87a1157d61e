import {
  createCommandIntake,
  createDeadLetters,
  ingestorDeadLettersTopic,
  readDeadLetters,
  replayDeadLetters,
  UnmappableChangeError,
  type SourceChange,
} from '@verity/connector-intake';
import { contexts } from '@verity/domain';
import type { SourceSyncStatus } from '@verity/projection-sync-status';
import { createCommandProducer, createLogger, createRdKafka, type RdProducer } from '@verity/events';
import { parseEnv, platformEnvSchema } from '@verity/service-kit';
import { runDlq } from './dlq-command';
import { runSync } from './sync-command';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

describe('the sync status: applied, conflicted, rejected and dead-lettered changes per tenant and source', () => {
  let platform: TestPlatform;
  let producer: RdProducer;
  const acme = { 'X-Tenant-Id': 'acme' };
  // Source times a minute after the test starts: a change older than one applied loses to it.
  let started = Date.now();
  const at = (seconds: number) => new Date(started + seconds * 1000).toISOString();
  const netsuite = (at: string) => ({ ...acme, 'X-Source-System': 'netsuite', 'X-Source-Timestamp': at });

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'gateway', 'query-api']);
    const config = parseEnv(platformEnvSchema, platform.env);
    producer = createCommandProducer(
      createRdKafka({
        brokers: config.VERITY_KAFKA_BROKERS,
        clientId: `${platform.prefix}-sync-spec`,
        logger: createLogger('sync-status-spec', 'error'),
      }),
    );
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await platform?.stop();
  });

  const status = async (headers: Record<string, string>, query = '') => {
    const res = await fetch(`${platform.urls['query-api']}/v1/sync/status${query}`, { headers });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const sourcesOf = async (tenant: string) =>
    (await status(await platform.credential({ tenant, roles: ['reader:sync'] }))).body.sources as SourceSyncStatus[];

  it('counts what each source applied, lost to an authority rule, had refused and had dead-lettered', async () => {
    started = Date.now();
    expect(
      (
        await postCommand(
          platform,
          'sources.SetAuthorityRule',
          { field: 'catalog.description', owners: ['shopify'] },
          acme,
        )
      ).status,
    ).toBe(200);
    const registered = { sku: 'P-1', name: 'Bolt', unit: 'EA', description: 'zinc plated' };
    expect((await postCommand(platform, 'catalog.RegisterProduct', registered, acme)).status).toBe(200);
    // The name applies; the description loses to shopify's rule: one event applied, one conflict.
    const update = await postCommand(
      platform,
      'catalog.UpdateProduct',
      { sku: 'P-1', name: 'Bolt M8', description: 'stainless' },
      netsuite(at(60)),
    );
    expect(update.body).toMatchObject({
      events: [{ type: 'verity.catalog.ProductUpdated' }, { type: 'verity.catalog.ConflictDetected' }],
    });
    // Nothing on hand to reserve: refused.
    const refused = await postCommand(
      platform,
      'inventory.ReserveStock',
      { sku: 'P-1', location: 'main', quantity: 9, reservationId: 'r-1', expiresAt: '2099-01-01T00:00:00.000Z' },
      netsuite(at(61)),
    );
    expect(refused.status).toBe(422);

    // Two changes a webhook ingestor could not map, one of them given up twice (redelivered).
    const topic = ingestorDeadLettersTopic('webhooks', platform.prefix);
    const letters = createDeadLetters(producer, topic);
    const change: SourceChange = {
      type: 'inventory.AdjustStock',
      payload: { sku: 'P-1', location: 'main', onHand: 40 },
      tenant: 'acme',
      commandId: 'netsuite:delivery-7',
      sourceSystem: 'netsuite',
      sourceTimestamp: at(62),
      actor: 'connector:webhooks',
    };
    const letter = {
      ingestor: 'webhooks' as const,
      source: 'netsuite',
      tenant: 'acme',
      code: 'unmappable_change',
      reason: 'data.quantity: expected number',
      original: JSON.stringify(change),
    };
    await letters.write({ ...letter, position: 'delivery-7' });
    await letters.write({ ...letter, position: 'delivery-7' });
    await letters.write({ ...letter, position: 'delivery-8', original: '{"not": "mappable"}' });

    // The cause fixed, one replays: its change goes through the intake; the other still maps to nothing.
    const config = parseEnv(platformEnvSchema, platform.env);
    const log = await readDeadLetters({
      brokers: config.VERITY_KAFKA_BROKERS,
      admin: platform.admin,
      topic,
      clientId: `${platform.prefix}-dlq`,
    });
    expect(log.pending.map((l) => l.position)).toEqual(['delivery-7', 'delivery-8']);
    const outcomes = await replayDeadLetters({
      letters: log.pending,
      remap: (l) => {
        const original = JSON.parse(l.original) as Partial<SourceChange>;
        if (typeof original.type !== 'string') throw new UnmappableChangeError('no change in it');
        return [original as SourceChange];
      },
      intake: createCommandIntake({ producer, contexts, topicPrefix: platform.prefix }),
      producer,
      topic,
    });
    expect(outcomes).toEqual([
      { id: log.pending[0]!.id, commandIds: ['netsuite:delivery-7'] },
      { id: log.pending[1]!.id, error: 'no change in it' },
    ]);

    let seen: SourceSyncStatus[] = [];
    const sources = await eventually(
      async () => {
        seen = await sourcesOf('acme');
        const ns = seen.find((s) => s.source === 'netsuite');
        return ns && ns.applied === 2 && ns.rejected === 1 && ns.deadLettered === 2 && ns.deadLetteredPending === 1
          ? seen
          : undefined;
      },
      30_000,
      'the sync status counted every change',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen ${JSON.stringify(seen)}`);
    });
    expect(sources).toEqual([
      {
        source: 'api',
        applied: 1,
        conflicted: 0,
        rejected: 0,
        deadLettered: 0,
        deadLetteredPending: 0,
        lastChangeAt: expect.any(String),
        lastAppliedAt: expect.any(String),
        lagMs: expect.any(Number),
      },
      {
        source: 'netsuite',
        // ProductUpdated, and StockAdjusted from the replayed letter.
        applied: 2,
        conflicted: 1,
        rejected: 1,
        deadLettered: 2,
        // The one that still maps to nothing waits for its fix.
        deadLetteredPending: 1,
        lastChangeAt: at(62),
        lastAppliedAt: expect.any(String),
        lagMs: expect.any(Number),
      },
    ]);
    const ns = sources[1]!;
    expect(ns.lagMs).toBe(Date.parse(ns.lastAppliedAt!) - Date.parse(ns.lastChangeAt!));
  });

  it('`verity sync status` prints what the route answers; `verity dlq` lists the pending letter and replays it once fixed', async () => {
    const out: string[] = [];
    const io = { env: platform.env, stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } };
    expect(await runSync(['status', '--tenant', 'acme', '--json'], io)).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual([{ tenant: 'acme', sources: await sourcesOf('acme') }]);
    // Without a tenant: every tenant with a source (this sandbox's schema holds acme only).
    out.length = 0;
    expect(await runSync(['status', '--json'], io)).toBe(0);
    expect((JSON.parse(out.join('')) as { tenant: string }[]).map((t) => t.tenant)).toEqual(['acme']);

    out.length = 0;
    expect(await runDlq(['list', '--ingestor', 'webhooks', '--json'], {}, io)).toBe(0);
    const [pending, ...more] = out
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; position: string });
    expect({ position: pending!.position, more }).toEqual({ position: 'delivery-8', more: [] });

    // Its cause fixed (the mapping now knows what `{"not": "mappable"}` means): it becomes a stock count.
    const fixed = (): SourceChange[] => [
      {
        type: 'inventory.AdjustStock',
        payload: { sku: 'P-1', location: 'main', onHand: 41 },
        tenant: 'acme',
        commandId: 'netsuite:delivery-8',
        sourceSystem: 'netsuite',
        sourceTimestamp: at(63),
        actor: 'connector:webhooks',
      },
    ];
    out.length = 0;
    expect(await runDlq(['replay', '--ingestor', 'webhooks', '--id', pending!.id], { webhooks: fixed }, io)).toBe(0);
    expect(out.join('')).toBe('replayed 1, still pending 0\n');
    out.length = 0;
    expect(await runDlq(['list', '--ingestor', 'webhooks', '--json'], {}, io)).toBe(0);
    expect(out.join('')).toBe('');
    await eventually(
      async () =>
        (await sourcesOf('acme')).find((s) => s.source === 'netsuite')?.deadLetteredPending === 0 ? true : undefined,
      30_000,
      'the replay counted',
    );
    // A replay of what is no longer pending is refused by name.
    await expect(
      runDlq(['replay', '--ingestor', 'webhooks', '--id', pending!.id], { webhooks: fixed }, io),
    ).rejects.toMatchObject({
      code: 'unknown_dead_letter',
    });
  });

  it('shows a tenant its own sources only', async () => {
    expect(await sourcesOf('globex')).toEqual([]);
  });

  it('needs a credential, reader:sync, and no parameters', async () => {
    const anonymous = await status({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toMatch(/application\/problem\+json/);
    const catalogReader = await status(await platform.credential({ tenant: 'acme', roles: ['reader:catalog'] }));
    expect(catalogReader).toMatchObject({
      status: 403,
      body: { code: 'insufficient_permission', missingPermission: 'reader:sync' },
    });
    const foreign = await status({
      ...(await withCredential(platform, { 'X-Tenant-Id': 'acme' })),
      'X-Tenant-Id': 'globex',
    });
    expect(foreign.status).toBe(403);
    const bad = await status(await platform.credential({ tenant: 'acme', roles: ['reader'] }), '?since=yesterday');
    expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });
});
