import type { Knex } from 'knex';
import { createPlatform, parseEnv, platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { loadScale } from './bench/scale-load';
import { parkedSchema } from './projection-generations';
import { holdRebuildLock } from './projection-rebuild';
import { runProjections } from './projections-command';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

interface Run {
  code?: number;
  error?: Error & { code?: string };
  stdout: string;
  stderr: string;
}

async function run(platform: TestPlatform, args: string[], onStderr?: (line: string) => void, signal?: AbortSignal) {
  const out: Run = { stdout: '', stderr: '' };
  try {
    out.code = await runProjections(args, {
      env: platform.env,
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: {
        write: (t: string) => {
          out.stderr += t;
          onStderr?.(t);
        },
      },
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    out.error = error as Error & { code?: string };
  }
  return out;
}

interface GenerationRow {
  projection: string;
  generation: number;
  state: string;
  schema: string;
  applied: string;
  lag: string;
}

async function generations(platform: TestPlatform, projection = 'inventory-stock'): Promise<GenerationRow[]> {
  const listed = await run(platform, ['list', '--json']);
  expect(listed.code).toBe(0);
  return (JSON.parse(listed.stdout) as GenerationRow[]).filter((g) => g.projection === projection);
}

/** Every row of each table of the read model in `schema`, in key order (the migration records aside). */
async function rowsOf(db: Knex, schema: string): Promise<Record<string, unknown[]>> {
  const tables = ['stock_items', 'stock_levels', 'reservations'];
  const out: Record<string, unknown[]> = {};
  for (const table of tables)
    out[table] = await db.withSchema(schema).table(table).select('*').orderByRaw('tenant, sku, 3');
  return out;
}

/** Waits until the serving projection's checkpoints reach the end of the inventory events topic. */
async function settled(platform: TestPlatform, timeoutMs = 30_000): Promise<void> {
  const topic = `${platform.prefix}.inventory.events`;
  await eventually(
    async () => {
      const ends = await platform.endOffsets(topic);
      const rows = await platform.db
        .withSchema(platform.schema)
        .table('projection_checkpoints')
        .where({ projection: 'inventory-stock', topic })
        .select<{ partition: number; next_offset: string }[]>('partition', 'next_offset');
      const at = new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
      // A transaction marker ends each partition: no batch moves past it.
      const done = Object.entries(ends).every(([p, end]) => (at.get(Number(p)) ?? 0n) >= BigInt(end) - 1n);
      return done ? true : undefined;
    },
    timeoutMs,
    'serving projection at the end of the topic',
  );
}

describe('projection rebuilds, blue/green, under write load', () => {
  let platform: TestPlatform;
  const acme = { 'X-Tenant-Id': 'acme' };
  const SKUS = ['SKU-BG-1', 'SKU-BG-2', 'SKU-BG-3', 'SKU-BG-4'];

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, {
      // A token's wait spans the switch's pause (the serving projector waits on its checkpoints'
      // locks while the new generation catches up), which a loaded CI box stretched past the
      // default 3 s once: a wait that never ends still answers stale, and fails the test.
      env: { VERITY_CONSISTENCY_TIMEOUT_MS: '20000' },
    });
  });
  afterAll(async () => {
    if (platform)
      for (const n of [1, 2, 3, 4])
        await platform.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [
          parkedSchema(platform.schema, 'inventory-stock', n),
        ]);
    await platform?.stop();
  });

  const read = async (sku: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${platform.urls['query-api']}/v1/inventory/${sku}`, {
      headers: await withCredential(platform, { ...acme, ...headers }),
    });
    const body = res.status === 200 ? ((await res.json()) as { version: number }) : undefined;
    return { status: res.status, version: body?.version, consistency: res.headers.get('x-consistency') };
  };

  it('keeps answering, never older, switches atomically, and the new generation equals the old row for row', async () => {
    for (const sku of SKUS)
      for (let i = 0; i < 5; i += 1)
        expect(
          (await postCommand(platform, 'inventory.ReceiveStock', { sku, location: 'berlin', quantity: 1 }, acme))
            .status,
        ).toBe(200);
    await settled(platform);

    let writing = true;
    let writes = 0;
    const staleTokenReads: string[] = [];
    const writer = (async () => {
      while (writing) {
        const sku = SKUS[writes % SKUS.length]!;
        const reply = await postCommand(
          platform,
          'inventory.ReceiveStock',
          { sku, location: 'hamburg', quantity: 2 },
          acme,
        );
        expect(reply.status).toBe(200);
        writes += 1;
        const seen = await read(sku, { 'X-Consistency-Token': reply.body.consistencyToken as string });
        if (seen.status !== 200 || (seen.version ?? 0) < (reply.body.version as number) || seen.consistency !== 'fresh')
          staleTokenReads.push(
            `${sku}: reply ${String(reply.body.version)}, read ${seen.status} ${seen.version} ${seen.consistency}`,
          );
      }
    })();
    const failures: string[] = [];
    const regressions: string[] = [];
    let reads = 0;
    const readers = SKUS.map(async (sku) => {
      let last = 0;
      while (writing) {
        const { status, version } = await read(sku);
        reads += 1;
        if (status !== 200) failures.push(`${sku}: ${status}`);
        else if ((version ?? 0) < last) regressions.push(`${sku}: ${version} after ${last}`);
        last = Math.max(last, version ?? 0);
      }
    });

    let rebuild: Run;
    const writesBefore = writes;
    let writesDuring: number;
    try {
      rebuild = await run(platform, ['rebuild', 'inventory-stock', '--max-lag', '5']);
      writesDuring = writes - writesBefore;
      // Writes and reads go on after the switch, against the new generation.
      const atSwitch = writes;
      await eventually(async () => (writes >= atSwitch + 3 ? true : undefined), 60_000, 'writes after the switch');
    } finally {
      writing = false;
    }
    await writer;
    await Promise.all(readers);

    expect(rebuild.error).toBeUndefined();
    expect(rebuild.code).toBe(0);
    expect(rebuild.stderr).toMatch(/inventory-stock g2: \d+ of \d+ events \(.*\), \d+ events\/s, ETA/);
    expect(rebuild.stdout).toMatch(/generation 2 serves/);
    expect(writesDuring).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(20);
    expect(failures).toEqual([]);
    expect(regressions).toEqual([]);
    expect(staleTokenReads).toEqual([]);

    const listed = await generations(platform);
    expect(listed.map((g) => [g.generation, g.state, g.schema])).toEqual([
      [1, 'retired', parkedSchema(platform.schema, 'inventory-stock', 1)],
      [2, 'serving', platform.schema],
    ]);
    // The new tables carry the tenant policy and the reader's grant (reads above went through them).
    const { rows: policies } = await platform.db.raw<{ rows: { tablename: string }[] }>(
      'SELECT tablename FROM pg_policies WHERE schemaname = ? ORDER BY tablename',
      [platform.schema],
    );
    expect(policies.map((p) => p.tablename)).toEqual(
      expect.arrayContaining(['reservations', 'stock_items', 'stock_levels']),
    );

    // Quiet now: a third generation, from the log alone, equals the second (built under load, then kept by the projector).
    await settled(platform);
    const third = await run(platform, ['rebuild', 'inventory-stock', '--max-lag', '0']);
    expect(third.error).toBeUndefined();
    expect(third.code).toBe(0);
    const serving = await rowsOf(platform.db, platform.schema);
    const previous = await rowsOf(platform.db, parkedSchema(platform.schema, 'inventory-stock', 2));
    expect(serving.stock_items!.length).toBe(SKUS.length);
    expect(serving).toEqual(previous);
    for (const sku of SKUS) expect((await read(sku)).status).toBe(200);
  });
});

describe('projection rebuilds: resume, list, drop, refusals', () => {
  let platform: TestPlatform;
  const STREAMS = 30_000;

  beforeAll(async () => {
    // The events first, straight to the topics (as the scale bench loads them), then the projector.
    platform = await startTestPlatform([]);
    const config = parseEnv(platformEnvSchema, platform.env);
    const { rdkafka, serde } = createPlatform('projections-e2e', config);
    await loadScale({
      rdkafka,
      admin: platform.admin,
      serde,
      prefix: platform.prefix,
      shape: { streams: STREAMS, tenants: 3, outcomes: 0 },
      partitions: config.VERITY_PARTITIONS,
      replicationFactor: config.VERITY_REPLICATION_FACTOR,
      outcomeWindowMs: 86_400_000,
      progress: () => undefined,
    });
    await platform.startService('projector');
    await settled(platform, 150_000);
  }, 300_000);
  afterAll(async () => {
    if (platform)
      for (const n of [1, 2, 3, 4])
        await platform.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [
          parkedSchema(platform.schema, 'inventory-stock', n),
        ]);
    await platform?.stop();
  });

  it('refuses bad arguments by name and changes nothing', async () => {
    const before = await generations(platform);
    const cases: [string[], string][] = [
      [['rebuild', 'stock'], 'unknown_read_model'],
      [['rebuild', 'sync-status'], 'read_model_not_rebuildable'],
      [['rebuild', 'alias-resolutions'], 'read_model_not_rebuildable'],
      [['rebuild'], 'usage'],
      [['rebuild', 'inventory-stock', '--max-lag', 'x'], 'usage'],
      [['drop', 'inventory-stock', '1'], 'generation_serving'],
      [['drop', 'inventory-stock', '9'], 'unknown_generation'],
      [['drop', 'inventory-stock'], 'usage'],
      [['switch'], 'usage'],
    ];
    for (const [args, code] of cases) {
      const refused = await run(platform, args);
      expect([args, refused.error?.code]).toEqual([args, code]);
    }
    const release = await holdRebuildLock(
      parseEnv(platformEnvSchema.extend(readModelEnvSchema.shape), platform.env).VERITY_DATABASE_URL,
      platform.schema,
      'inventory-stock',
    );
    try {
      expect((await run(platform, ['rebuild', 'inventory-stock'])).error?.code).toBe('rebuild_in_progress');
    } finally {
      await release();
    }
    expect(await generations(platform)).toEqual(before);
    const { rows } = await platform.db.raw<{ rows: { nspname: string }[] }>(
      'SELECT nspname FROM pg_namespace WHERE nspname LIKE ?',
      [`${platform.schema}\\_\\_%`],
    );
    expect(rows).toEqual([]);
  });

  it('resumes an interrupted rebuild, equals the old generation row for row, then drops the old one', async () => {
    // Ctrl-C as soon as the new generation has applied something.
    const stop = new AbortController();
    const building = parkedSchema(platform.schema, 'inventory-stock', 2);
    const watcher = (async () => {
      while (!stop.signal.aborted) {
        const { rows } = await platform.db.raw<{ rows: { applied: string | null }[] }>(
          'SELECT CASE WHEN to_regclass(?) IS NULL THEN NULL ELSE 1 END AS applied',
          [`"${building}"."projection_checkpoints"`],
        );
        if (rows[0]?.applied !== null) {
          const applied = await platform.db
            .withSchema(building)
            .table('projection_checkpoints')
            .sum('next_offset as n');
          if (Number(applied[0]?.n ?? 0) > 0) stop.abort();
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const interrupted = await run(platform, ['rebuild', 'inventory-stock'], undefined, stop.signal);
    stop.abort();
    await watcher;
    expect(interrupted.error).toBeUndefined();
    expect(interrupted.code).toBe(130);
    const half = (await generations(platform)).find((g) => g.generation === 2)!;
    expect(half.state).toBe('building');
    expect(BigInt(half.applied)).toBeGreaterThan(0n);
    expect(BigInt(half.lag)).toBeGreaterThan(0n);

    const resumed = await run(platform, ['rebuild', 'inventory-stock', '--max-lag', '0']);
    expect(resumed.error).toBeUndefined();
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming generation 2 at [1-9]\\d* events`));
    const serving = await rowsOf(platform.db, platform.schema);
    expect(serving.stock_items!.length).toBe(STREAMS);
    expect(serving).toEqual(await rowsOf(platform.db, parkedSchema(platform.schema, 'inventory-stock', 1)));

    const dropped = await run(platform, ['drop', 'inventory-stock', '1']);
    expect(dropped.code).toBe(0);
    expect((await generations(platform)).map((g) => [g.generation, g.state, g.lag])).toEqual([[2, 'serving', '0']]);
    const { rows } = await platform.db.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_namespace WHERE nspname = ?', [
      parkedSchema(platform.schema, 'inventory-stock', 1),
    ]);
    expect(rows).toEqual([]);

    // --drop-previous: generation 3 serves, 2 is gone at once.
    const third = await run(platform, ['rebuild', 'inventory-stock', '--max-lag', '0', '--drop-previous']);
    expect(third.code).toBe(0);
    expect((await generations(platform)).map((g) => [g.generation, g.state])).toEqual([[3, 'serving']]);
    expect((await rowsOf(platform.db, platform.schema)).stock_items!.length).toBe(STREAMS);
  }, 180_000);

  it('reaches lag 0 when the log ends in an aborted transaction, serving and rebuilding', async () => {
    // What a processor that crashed mid-transaction leaves when nothing comes after it.
    const topic = `${platform.prefix}.inventory.events`;
    const producer = platform.kafka.producer({
      transactionalId: `${platform.prefix}.aborted-tail`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const partitions = Object.keys(await platform.endOffsets(topic)).map(Number);
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        messages: partitions.flatMap((partition) =>
          [1, 2, 3].map(() => ({ partition, key: 'aborted', value: Buffer.from('never committed') })),
        ),
      });
      await transaction.abort();
    } finally {
      await producer.disconnect();
    }
    await eventually(
      async () => ((await generations(platform)).find((g) => g.state === 'serving')?.lag === '0' ? true : undefined),
      30_000,
      'the serving generation at lag 0',
    );

    // A rebuild that waited for the aborted records to be applied would never switch.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 90_000);
    const rebuilt = await run(
      platform,
      ['rebuild', 'inventory-stock', '--max-lag', '0', '--drop-previous'],
      undefined,
      stop.signal,
    ).finally(() => clearTimeout(timer));
    expect(rebuilt.error).toBeUndefined();
    expect(rebuilt.code).toBe(0);
    expect((await generations(platform)).map((g) => [g.generation, g.state, g.lag])).toEqual([[4, 'serving', '0']]);
    expect((await rowsOf(platform.db, platform.schema)).stock_items!.length).toBe(STREAMS);
  }, 180_000);
});
