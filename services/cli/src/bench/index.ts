import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VerityError } from '@verity/core';
import { ensureTopics } from '@verity/events';
import { infraStatus } from '@verity/infra-local';
import { childPids } from './process-cpu';
import { measureEmmett } from './emmett';
import { createBenchDatabase, type BenchDatabase } from './emmett-database';
import { tenantCredentials } from './credentials';
import { installEmmettHarness, type EmmettHarness } from './emmett-harness';
import { measureGatewayLoad } from './gateway-load';
import { searchGateway, type GatewaySearch } from './gateway-search';
import { localStackConfig, tearDownOnInterrupt } from './loopback';
import { machine } from './machine';
import { parseBenchOptions, readsSkippedBecause } from './options';
import {
  cpuProfileOf,
  processPlans,
  startPlatformProcesses,
  type CpuProfiles,
  type PlatformUnderTest,
} from './platform';
import { measureRawProduce } from './raw-produce';
import { measureReads } from './reads';
import {
  emmettReportOf,
  formatReport,
  ratiosOf,
  readsReportOf,
  reportFileName,
  visibilityReportOf,
  type BenchReport,
  type EmmettReport,
  type ReadsReport,
  type VisibilityReport,
} from './report';
import { measureVisibility } from './visibility';
import { openSandbox, type Sandbox } from '../sandbox';
import { READ_TENANT } from './read-workload';
import { BENCH_TENANT, commandRecord } from './workload';

const progress = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/**
 * Connections the visibility run may open to each server. A read with a token holds its
 * connection while it waits (up to the query API's consistency timeout), so at 1,000 commands/s
 * a read model seconds behind holds thousands: fewer, and the client's own queue would be
 * measured instead of the platform.
 */
const VISIBILITY_CONNECTIONS = 8192;

/**
 * `verity bench`: on the running local stack, measures cache-hit reads through the query API
 * beside a minimal express + ioredis server, raw Kafka produce (the limit), commands through
 * the gateway (each service in its own process, as deployed), the gateway's best in-flight
 * count, and the same command with Emmett on PostgreSQL (the reference), side by side, prints
 * the table and writes the JSON report. Everything the run creates is removed at
 * the end, also after a failure or Ctrl-C.
 */
export async function runBench(args: readonly string[]): Promise<BenchReport> {
  const options = parseBenchOptions(args);
  const config = localStackConfig();

  const startedAt = new Date();
  const host = machine();
  const sandbox: Sandbox = await openSandbox(config, { label: 'bench' });
  let platform: PlatformUnderTest | undefined;
  let emmettDatabase: BenchDatabase | undefined;
  let teardown: Promise<void> | undefined;
  const tearDown = (): Promise<void> =>
    (teardown ??= (async () => {
      await platform?.stop();
      if (emmettDatabase) {
        const { name } = emmettDatabase;
        await emmettDatabase.drop().then(
          () => progress(`dropped the database ${name}`),
          (error: Error) => progress(`could not drop the database ${name}: ${error.message}`),
        );
      }
      await sandbox.cleanup();
      progress(`removed the topics, groups, subjects, schema and keys of ${sandbox.prefix}`);
    })());
  const stopWatchingInterrupt = tearDownOnInterrupt(tearDown, progress);

  try {
    // Installed and created first, so a missing registry or database fails before a minute of load.
    let harness: EmmettHarness | undefined;
    if (options.emmett) {
      harness = await installEmmettHarness(progress);
      emmettDatabase = await createBenchDatabase(config.VERITY_DATABASE_URL, sandbox.prefix);
    }
    const processes = processPlans(options.services, options.instances).map((p) => p.name);
    progress(`starting ${processes.join(', ')}, one process each, with prefix ${sandbox.prefix}`);
    let cpuProfiles: CpuProfiles | undefined;
    if (options.cpuProf !== undefined) {
      const profiles = { dir: resolve(options.cpuProf), prefix: sandbox.prefix };
      await mkdir(profiles.dir, { recursive: true });
      const files = processes.map((name) => cpuProfileOf(profiles, name));
      progress(`CPU profiles, written as each process stops: ${files.join(', ')}`);
      cpuProfiles = profiles;
    }
    platform = startPlatformProcesses(sandbox.env, options.services, options.instances, progress, cpuProfiles);
    const urls = await platform.ready;
    // The options require the gateway, so there is at least one.
    const gatewayUrls = urls.gateway ?? [];
    // Same partition count and replication as the commands topics the gateway writes to.
    const rawTopic = `${sandbox.prefix}.bench.raw-produce`;
    await ensureTopics(
      sandbox.admin,
      [{ topic: rawTopic, numPartitions: config.VERITY_PARTITIONS }],
      config.VERITY_REPLICATION_FACTOR,
    );

    // Signed once, before any load: a client holds its token.
    const credentials = await tenantCredentials(sandbox.env, [BENCH_TENANT, READ_TENANT]);
    const timing = {
      connections: options.connections,
      skus: options.skus,
      warmupS: options.warmupS,
      durationS: options.durationS,
    };

    // Before the write runs: the projector has only the seed to project, so the reads share the
    // machine with idle services, and the seeded values stay as they are while being read.
    const readsSkipped = options.reads ? readsSkippedBecause(options.services) : undefined;
    if (readsSkipped) progress(`reads skipped: ${readsSkipped}`);
    let reads: ReadsReport | undefined;
    const queryApiUrl = urls['query-api']?.[0];
    if (options.reads && !readsSkipped && queryApiUrl && gatewayUrls[0]) {
      reads = readsReportOf(
        await measureReads({
          ...timing,
          gatewayUrl: gatewayUrls[0],
          queryApiUrl,
          queryApiPid: platform.pids()['query-api']?.[0],
          redisUrl: config.VERITY_REDIS_URL,
          keyPrefix: sandbox.prefix,
          credential: credentials(READ_TENANT),
          ratePerS: options.readRate,
          progress,
        }),
      );
    }
    const raw = { kafka: sandbox.kafka, topic: rawTopic, ...timing };
    progress(`kafka produce, 1 record per send: ${options.warmupS} s warm-up + ${options.durationS} s`);
    const limit = await measureRawProduce({ ...raw, name: 'kafka produce, 1 record/send', recordsPerSend: 1 });
    let limitBatched;
    if (options.batchSize > 1) {
      progress(
        `kafka produce, ${options.batchSize} records per send: ${options.warmupS} s warm-up + ${options.durationS} s`,
      );
      limitBatched = await measureRawProduce({
        ...raw,
        name: `kafka produce, ${options.batchSize} records/send`,
        recordsPerSend: options.batchSize,
      });
    }
    // The stack's CPU is counted beside the services' when it runs on this machine: the broker,
    // Redis, and PostgreSQL's server with the backends it runs (the services' pooled connections).
    const stack = await infraStatus({ onProgress: () => undefined }).catch(() => []);
    const pidOf = (name: string) => stack.find((c) => c.name === name && c.state === 'running')?.pid;
    const [kafkaPid, postgresPid, redisPid] = [pidOf('kafka'), pidOf('postgres'), pidOf('redis')];
    const services = platform;
    const measured = (): Record<string, readonly number[]> => ({
      ...Object.fromEntries(Object.entries(services.pids()).filter((e): e is [string, number[]] => e[1] !== undefined)),
      ...(kafkaPid ? { kafka: [kafkaPid] } : {}),
      ...(postgresPid ? { postgres: [postgresPid, ...childPids(postgresPid)] } : {}),
      ...(redisPid ? { redis: [redisPid] } : {}),
    });
    progress(`gateway ${gatewayUrls.join(' ')}: ${options.warmupS} s warm-up + ${options.durationS} s`);
    const gateway = await measureGatewayLoad({
      ...timing,
      name: 'gateway ReceiveStock -> 200',
      gatewayUrls,
      credentials,
      processes: measured,
    });
    let gatewaySearch: GatewaySearch | undefined;
    if (options.search) {
      progress(
        `gateway search for its best in-flight count: ${options.warmupS} s warm-up + ${options.durationS} s a step`,
      );
      gatewaySearch = await searchGateway(
        { ...gateway, connections: options.connections },
        (connections) =>
          measureGatewayLoad({
            ...timing,
            connections,
            name: `gateway ReceiveStock, ${connections} in flight`,
            gatewayUrls,
            credentials,
            processes: measured,
          }),
        progress,
      );
    }
    let visibility: VisibilityReport | undefined;
    if (options.visibility && !readsSkippedBecause(options.services) && queryApiUrl && gatewayUrls[0]) {
      progress(
        `command -> read model visible, ${options.visibleRate} commands/s: ${options.warmupS} s warm-up + ${options.durationS} s`,
      );
      visibility = visibilityReportOf(
        await measureVisibility({
          gatewayUrl: gatewayUrls[0],
          queryApiUrl,
          headers: credentials(BENCH_TENANT),
          ratePerS: options.visibleRate,
          warmupS: options.warmupS,
          durationS: options.durationS,
          skus: options.skus,
          connections: VISIBILITY_CONNECTIONS,
          processes: measured,
        }),
      );
    }
    if (!platform.running())
      throw new VerityError('bench_service_ended', 'a service under test ended during the run (see above)');

    let emmett: EmmettReport | undefined;
    if (harness && emmettDatabase) {
      // Verity's idle pollers would take CPU from the reference; the stack itself stays, as for Verity.
      await platform.stop();
      progress('stopped the platform under test; Emmett runs beside the stack alone');
      const comparison = await measureEmmett(harness, {
        ...timing,
        databaseUrl: emmettDatabase.url,
        database: emmettDatabase.name,
        progress,
      });
      emmett = emmettReportOf(gateway, comparison, gatewaySearch?.best);
    }

    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: host,
      parameters: {
        ...options,
        partitions: config.VERITY_PARTITIONS,
        recordBytes: Buffer.byteLength(commandRecord(0, options.skus).value as string),
        topicPrefix: sandbox.prefix,
      },
      limit,
      ...(limitBatched ? { limitBatched } : {}),
      gateway,
      ratios: ratiosOf(gateway, limit),
      ...(gatewaySearch ? { gatewaySearch } : {}),
      ...(emmett ? { emmett } : {}),
      ...(reads ? { reads } : {}),
      ...(readsSkipped ? { readsSkipped } : {}),
      ...(visibility ? { visibility } : {}),
    };
    const file = join(resolve(options.out), reportFileName(startedAt));
    await mkdir(resolve(options.out), { recursive: true });
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${formatReport(report)}\n\nwritten to ${file}\n`);
    return report;
  } finally {
    await tearDown();
    stopWatchingInterrupt();
  }
}
