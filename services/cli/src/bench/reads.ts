import { VerityError } from '@verity/core';
import { Redis } from 'ioredis';
import { measureReadsAtRate, measureReadsClosedLoop, type ReadLoadOptions, type ReadRun } from './read-load';
import { startReadReference } from './read-reference';
import {
  awaitCachedAnswers,
  copyToReference,
  differingAnswers,
  readClient,
  seedThroughGateway,
  type ReadClient,
} from './read-seed';
import { READ_ALIASES, READ_TENANT, aliasRoute, inventoryRoute, type ReadRoute } from './read-workload';

/** How long the projector has to project the seeded commands and fill the cache. */
const CACHED_TIMEOUT_MS = 120_000;

/** The query API and the reference measured the same way, one right after the other. */
export interface SideBySide {
  queryApi: ReadRun;
  reference: ReadRun;
}

/** One route's runs: closed loop at the bench's in-flight count, then at a fixed rate. */
export interface RouteReads {
  route: string;
  label: string;
  /** Distinct paths the requests cycle over. */
  keys: number;
  closedLoop: SideBySide & { connections: number };
  fixedRate: SideBySide & { ratePerS: number };
}

export interface ReadMeasurements {
  tenant: string;
  /** Seconds from the first seed command until every read was answered from the cache. */
  seededInS: number;
  routes: RouteReads[];
}

export interface ReadPhaseOptions {
  gatewayUrl: string;
  queryApiUrl: string;
  /** The query API's process: its CPU time per request is reported beside the reference's. */
  queryApiPid?: number;
  redisUrl: string;
  /** The sandbox's prefix: the reference's keys go under it, so the sandbox's cleanup removes them. */
  keyPrefix: string;
  skus: number;
  /** The credential of READ_TENANT (`Authorization`), made before the run. */
  credential: Record<string, string>;
  connections: number;
  ratePerS: number;
  warmupS: number;
  durationS: number;
  progress: (message: string) => void;
}

const figures = (r: ReadRun): string =>
  `${r.throughputPerS.toFixed(0)}/s, p50 ${r.latencyMs.p50.toFixed(2)} ms, p99 ${r.latencyMs.p99.toFixed(2)} ms, ` +
  `${r.errors} errors${r.serverCpuUsPerRequest === undefined ? '' : `, ${r.serverCpuUsPerRequest.toFixed(0)} µs of server CPU a request`}`;

/**
 * Issue 9's cache-hit reads: seeds SKUs and aliases through the gateway, waits until the query
 * API answers each from the cache, copies those answers to a minimal express + ioredis server
 * (the reference, a process of its own) and checks that it answers the same bytes; then, per
 * route, the query API and the reference one after the other in a closed loop at
 * `connections`, then both at `ratePerS`.
 */
export async function measureReads(options: ReadPhaseOptions): Promise<ReadMeasurements> {
  const { progress } = options;
  const routes = [inventoryRoute(options.keyPrefix, options.skus), aliasRoute(options.keyPrefix, READ_ALIASES)];
  const reads = routes.flatMap((r) => r.reads);
  progress(
    `reads: seeding ${options.skus} SKUs and ${READ_ALIASES} aliases of tenant ${READ_TENANT} through the gateway`,
  );
  const seedStart = Date.now();
  const client = readClient(options.credential);
  await seedThroughGateway(options.gatewayUrl, client, options.skus, READ_ALIASES);
  const bodies = await awaitCachedAnswers(options.queryApiUrl, client, reads, CACHED_TIMEOUT_MS);
  const seededInS = (Date.now() - seedStart) / 1000;
  progress(`reads: all ${reads.length} answered from the cache ${seededInS.toFixed(1)} s after the first command`);

  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    await copyToReference(redis, reads, bodies);
  } finally {
    redis.disconnect();
  }
  const reference = await startReadReference(options.redisUrl, options.keyPrefix, progress);
  try {
    const differences = await differingAnswers(reference.url, client, reads, bodies);
    if (differences.length > 0)
      throw new VerityError(
        'bench_reference_differs',
        `the read reference answers ${differences.length} reads unlike the query API, e.g. ${differences[0]}`,
      );
    const measured: RouteReads[] = [];
    for (const route of routes) measured.push(await measureRoute(route, reference, options, client));
    return { tenant: READ_TENANT, seededInS, routes: measured };
  } finally {
    await reference.stop();
  }
}

async function measureRoute(
  route: ReadRoute,
  reference: { url: string; pid: number },
  options: ReadPhaseOptions,
  client: ReadClient,
): Promise<RouteReads> {
  const { progress, connections, ratePerS } = options;
  const load = (server: 'query-api' | 'reference', how: string): ReadLoadOptions => ({
    name: `${server} ${route.label}, ${how}`,
    url: server === 'query-api' ? options.queryApiUrl : reference.url,
    serverPid: server === 'query-api' ? options.queryApiPid : reference.pid,
    paths: route.reads.map((r) => r.path),
    // The reference gets the same bytes: it ignores the credential, as it does the tenant.
    headers: client,
    connections,
    warmupS: options.warmupS,
    durationS: options.durationS,
  });
  const timed = `${options.warmupS} s warm-up + ${options.durationS} s`;
  const closed = async (server: 'query-api' | 'reference'): Promise<ReadRun> => {
    progress(`reads: ${server} ${route.route}, ${connections} in flight: ${timed}`);
    const result = await measureReadsClosedLoop(load(server, `${connections} in flight`));
    progress(`reads: ${server} ${route.label}, ${connections} in flight: ${figures(result)}`);
    return result;
  };
  const atRate = async (server: 'query-api' | 'reference'): Promise<ReadRun> => {
    progress(`reads: ${server} ${route.route}, ${ratePerS}/s: ${timed}`);
    const result = await measureReadsAtRate({ ...load(server, `${ratePerS}/s`), ratePerS });
    progress(`reads: ${server} ${route.label}, ${ratePerS}/s: ${figures(result)}`);
    return result;
  };
  const closedLoop = { connections, queryApi: await closed('query-api'), reference: await closed('reference') };
  const fixedRate = { ratePerS, queryApi: await atRate('query-api'), reference: await atRate('reference') };
  return { route: route.route, label: route.label, keys: route.reads.length, closedLoop, fixedRate };
}
