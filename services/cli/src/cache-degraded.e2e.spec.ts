import { graphql } from './testing/graphql-client';
import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

/** Nothing listens here: every service that uses Redis starts and runs without it. */
const DEAD_REDIS = 'redis://127.0.0.1:6399';

describe('Redis down: reads come from PostgreSQL and /ready says degraded', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, { env: { VERITY_REDIS_URL: DEAD_REDIS } });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const acme = { 'X-Tenant-Id': 'acme' };

  it('accepts a command, projects it to PostgreSQL and serves it with X-Cache: bypass', async () => {
    const accepted = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'SKU-NOCACHE', location: 'berlin', quantity: 7 },
      acme,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ streamId: 'acme/SKU-NOCACHE', version: 1 });

    const row = await eventually(
      async () =>
        await platform.db
          .withSchema(platform.schema)
          .table('stock_levels')
          .where({ tenant: 'acme', sku: 'SKU-NOCACHE' })
          .first<{ on_hand: string } | undefined>('on_hand'),
      20_000,
      'read model row',
    );
    expect(row).toEqual({ on_hand: '7' });

    const res = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-NOCACHE`, {
      headers: await withCredential(platform, {
        ...acme,
        'X-Consistency-Token': accepted.body.consistencyToken as string,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('bypass');
    expect(res.headers.get('etag')).toBe('"1"');
    expect(await res.json()).toMatchObject({
      tenant: 'acme',
      sku: 'SKU-NOCACHE',
      version: 1,
      totals: { onHand: 7, reserved: 0, available: 7 },
    });

    // Without a token too (the cache path is the one that would be tried first).
    const plain = await fetch(`${platform.urls['query-api']}/v1/inventory/SKU-NOCACHE`, {
      headers: await withCredential(platform, acme),
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('x-cache')).toBe('bypass');
    expect(await plain.json()).toMatchObject({ version: 1, totals: { onHand: 7 } });

    // GraphQL's single reads take the same read-through: PostgreSQL, no error.
    expect(
      (
        await graphql(
          platform.urls['query-api']!,
          `
            {
              stock(sku: "SKU-NOCACHE") {
                version
                totals {
                  onHand
                }
              }
            }
          `,
          {},
          'acme',
          await platform.credential({ tenant: 'acme' }),
        )
      ).body,
    ).toEqual({ data: { stock: { version: 1, totals: { onHand: 7 } } } });

    // Nothing reached the project's real Redis under this suite's prefix.
    expect(await platform.redis.keys(`${platform.prefix}:*`)).toEqual([]);
  });

  it.each(['query-api', 'projector'] as const)(
    '%s /ready answers 200 degraded with the redis check degraded',
    async (service) => {
      const res = await fetch(`${platform.urls[service]}/ready`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; checks: { name: string; status: string }[] };
      expect(body.status).toBe('degraded');
      expect(body.checks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'redis', status: 'degraded' }),
          expect.objectContaining({ name: 'postgres', status: 'up' }),
        ]),
      );
    },
  );
});
