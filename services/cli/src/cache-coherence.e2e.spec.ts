import { eventually, postCommand, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

/**
 * The cache never serves a version older than one the reader has already seen: neither after a
 * write with the reply's X-Consistency-Token (read-your-writes), nor across successive reads
 * without one while writes go on (monotonic reads through the read-through cache).
 */
describe('cache coherence under successive writes', () => {
  let platform: TestPlatform;
  const acme = { 'X-Tenant-Id': 'acme' };
  const WRITES = 30;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const read = async (
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; version?: number; cache: string | null }> => {
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: await withCredential(platform, { ...acme, ...headers }),
    });
    const body = res.status === 200 ? ((await res.json()) as { version: number }) : undefined;
    return { status: res.status, version: body?.version, cache: res.headers.get('x-cache') };
  };

  /** Reads `path` without a token until `done`, failing on the first version that goes backwards. */
  async function monotonicReader(path: string, done: () => boolean): Promise<{ reads: number; regressions: string[] }> {
    let last = 0;
    let reads = 0;
    const regressions: string[] = [];
    while (!done()) {
      const { status, version, cache } = await read(path);
      reads += 1;
      if (status === 200 && version !== undefined) {
        if (version < last) regressions.push(`read ${reads}: version ${version} after ${last} (X-Cache ${cache})`);
        last = Math.max(last, version);
      }
    }
    return { reads, regressions };
  }

  it('inventory: a read with the reply token never returns an older version; reads without one never go backwards', async () => {
    let writing = true;
    const reader = monotonicReader('/v1/inventory/SKU-COHERENT', () => !writing);
    const stale: string[] = [];
    try {
      for (let i = 1; i <= WRITES; i += 1) {
        const reply = await postCommand(
          platform,
          'inventory.ReceiveStock',
          { sku: 'SKU-COHERENT', location: 'berlin', quantity: 1 },
          acme,
        );
        expect(reply.status).toBe(200);
        const version = reply.body.version as number;
        const seen = await read('/v1/inventory/SKU-COHERENT', {
          'X-Consistency-Token': reply.body.consistencyToken as string,
        });
        if (seen.status !== 200 || (seen.version ?? 0) < version)
          stale.push(`write ${i}: reply version ${version}, read ${seen.status} version ${seen.version}`);
        // A read without the token right after may be behind the write (the projection is async) but not behind earlier reads.
        const after = await read('/v1/inventory/SKU-COHERENT');
        expect(after.status === 404 || after.status === 200).toBe(true);
      }
    } finally {
      writing = false;
    }
    const { reads, regressions } = await reader;
    expect(stale).toEqual([]);
    expect(regressions).toEqual([]);
    expect(reads).toBeGreaterThan(WRITES);
    // Settles on the last version, whichever path serves it.
    await eventually(
      async () => ((await read('/v1/inventory/SKU-COHERENT')).version === WRITES ? true : undefined),
      10_000,
      'last version served',
    );
  });

  it('catalog product: the same for successive UpdateProduct commands', async () => {
    const first = await postCommand(
      platform,
      'catalog.RegisterProduct',
      { sku: 'P-COHERENT', name: 'v1', unit: 'EA' },
      acme,
    );
    expect(first.status).toBe(200);
    let writing = true;
    const reader = monotonicReader('/v1/catalog/products/P-COHERENT', () => !writing);
    const stale: string[] = [];
    let lastVersion = first.body.version as number;
    try {
      for (let i = 2; i <= 15; i += 1) {
        const reply = await postCommand(platform, 'catalog.UpdateProduct', { sku: 'P-COHERENT', name: `v${i}` }, acme);
        expect(reply.status).toBe(200);
        lastVersion = reply.body.version as number;
        const seen = await read('/v1/catalog/products/P-COHERENT', {
          'X-Consistency-Token': reply.body.consistencyToken as string,
        });
        if (seen.status !== 200 || (seen.version ?? 0) < lastVersion)
          stale.push(`write ${i}: reply version ${lastVersion}, read ${seen.status} version ${seen.version}`);
      }
    } finally {
      writing = false;
    }
    const { regressions } = await reader;
    expect(stale).toEqual([]);
    expect(regressions).toEqual([]);
    await eventually(
      async () => ((await read('/v1/catalog/products/P-COHERENT')).version === lastVersion ? true : undefined),
      10_000,
      'last version served',
    );
  });
});
