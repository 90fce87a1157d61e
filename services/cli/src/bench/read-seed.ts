import { VerityError } from '@verity/core';
import { sleep } from '@verity/events';
import type { Redis } from 'ioredis';
import { READ_ALIAS_CONTEXT, READ_TENANT, readAlias, readSku, type CachedRead } from './read-workload';

/** Requests in flight while seeding and polling: enough to finish in seconds, few enough not to queue long. */
const SEED_IN_FLIGHT = 16;
const POLL_INTERVAL_MS = 250;

/** Runs `work` on every item, at most `limit` at once. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The headers of a client of READ_TENANT: the tenant and its credential (`Authorization`). */
export type ReadClient = Record<string, string>;

/** The headers a client of READ_TENANT sends, given its credential. */
export const readClient = (credential: Record<string, string>): ReadClient => ({
  'x-tenant-id': READ_TENANT,
  ...credential,
});

async function command(gatewayUrl: string, client: ReadClient, type: string, payload: object): Promise<void> {
  const res = await fetch(`${gatewayUrl}/v1/commands/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...client },
    body: JSON.stringify(payload),
  });
  const body = await res.text();
  // 202: accepted but not decided within the gateway's bound; it will be, and the wait below sees it.
  if (res.status !== 200 && res.status !== 202)
    throw new VerityError('bench_seed_failed', `${type} answered ${res.status}: ${body.slice(0, 300)}`);
}

/** Through the gateway, as any client: a ReceiveStock per SKU, a RegisterAlias per alias, all for READ_TENANT. */
export async function seedThroughGateway(
  gatewayUrl: string,
  client: ReadClient,
  skus: number,
  aliases: number,
): Promise<void> {
  const stock = Array.from({ length: skus }, (_, i) => ({
    sku: readSku(i),
    location: 'berlin',
    quantity: 1 + (i % 7),
  }));
  const registrations = Array.from({ length: aliases }, (_, i) => ({ ...readAlias(i), context: READ_ALIAS_CONTEXT }));
  await inParallel(stock, SEED_IN_FLIGHT, (payload) => command(gatewayUrl, client, 'inventory.ReceiveStock', payload));
  await inParallel(registrations, SEED_IN_FLIGHT, (payload) =>
    command(gatewayUrl, client, 'aliases.RegisterAlias', payload),
  );
}

/**
 * Asks the query API for every read until each answers 200 from the cache (`X-Cache: hit`):
 * the projector has then projected it and filled the cache. Resolves with each answer's body,
 * by path; past `timeoutMs` fails naming how many are still missing and one of them.
 */
export async function awaitCachedAnswers(
  queryApiUrl: string,
  client: ReadClient,
  reads: readonly CachedRead[],
  timeoutMs: number,
): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  let pending = [...reads];
  let last = '';
  for (;;) {
    await inParallel(pending, SEED_IN_FLIGHT, async ({ path }) => {
      const res = await fetch(`${queryApiUrl}${path}`, { headers: client });
      const body = await res.text();
      if (res.status === 200 && res.headers.get('x-cache') === 'hit') bodies.set(path, body);
      else last = `${path} answered ${res.status} (X-Cache ${res.headers.get('x-cache') ?? 'none'})`;
    });
    pending = pending.filter(({ path }) => !bodies.has(path));
    if (pending.length === 0) return bodies;
    if (Date.now() >= deadline)
      throw new VerityError(
        'bench_reads_not_cached',
        `${pending.length} of ${reads.length} reads not answered from the cache after ${timeoutMs / 1000} s; last: ${last}`,
      );
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Copies the query API's answers into the reference's keys, byte for byte. Why copies rather
 * than the query API's own keys: the resolve route answers `{"canonical_name": …}`, not the
 * cached `{canonical, expiresAt, version}`, so a reference reading those keys would have to
 * parse and reshape (query-API logic, not a minimal server's). With the answer stored as it is,
 * the reference does what a minimal cache-serving server does, one GET whose value it sends,
 * and both answer the very same bytes; for the inventory route those bytes are the cached view
 * itself, so the reference moves the same value out of Redis as the query API.
 */
export async function copyToReference(
  redis: Redis,
  reads: readonly CachedRead[],
  bodies: ReadonlyMap<string, string>,
): Promise<void> {
  const pipeline = redis.pipeline();
  for (const { path, referenceKey } of reads) {
    const body = bodies.get(path);
    if (body === undefined) throw new Error(`no answer of the query API for ${path}`);
    pipeline.set(referenceKey, body);
  }
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}

/** Each read's answer from `url` that is not the query API's, as `path: what differs`; empty when all match. */
export async function differingAnswers(
  url: string,
  client: ReadClient,
  reads: readonly CachedRead[],
  bodies: ReadonlyMap<string, string>,
): Promise<string[]> {
  const differences: string[] = [];
  await inParallel(reads, SEED_IN_FLIGHT, async ({ path }) => {
    const res = await fetch(`${url}${path}`, { headers: client });
    const body = await res.text();
    if (res.status !== 200 || body !== bodies.get(path))
      differences.push(`${path}: ${res.status} ${body.slice(0, 200)}`);
  });
  return differences;
}
