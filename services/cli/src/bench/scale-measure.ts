import { VerityError } from '@verity/core';
import { contextTopics, repliesTopic } from '@verity/events';
import { Partitioners } from 'kafkajs';
import type { Sandbox } from '../sandbox';
import { tenantCredentials, type TenantCredentials } from './credentials';
import { measureGatewayLoad } from './gateway-load';
import type { LoadResult } from './load-result';
import { histogramMean, histogramOf, histogramQuantile, metricValue } from './metrics-text';
import { residentMb } from './process-memory';
import { watchReplies, type SeenReply } from './reply-watch';
import type { ScaleLoad } from './scale-load';
import type { ScaleShape } from './scale-options';
import { fetchText, spawnTimed, waitFor, type TimedProcess } from './scale-processes';
import { firstStreamOfEachPartition, loadedStream, receiveOnRandomStream } from './scale-streams';
import { BENCH_COMMAND_TYPE, commandEnvelope, commandMessage } from './workload';

/** How a processor instance came back: from its start until it decided on every partition. */
export interface ProcessorStart {
  /** Seconds from its spawn until the first of the probes (one per partition) was decided. */
  firstDecisionS: number;
  /** Seconds from its spawn until every partition's probe was decided. */
  allPartitionsS: number;
  /** State records it read into its local store (`verity_state_restored_records_total`): every partition is restored by then. */
  restoredRecords: number;
  /** Resident memory once every partition was restored and decided on. */
  residentMb: number | undefined;
}

export interface TimerFigures {
  /** Checks the measured instance made, and what one took. */
  checks: number;
  meanMs: number;
  /** The upper bound of the histogram bucket holding the 99th percentile. */
  p99Ms: number;
  /** Commands its timers sent: the streams it found due. */
  commandsSent: number;
  /** Reservations loaded, and how many had expired when the bench ended. */
  reservations: number;
  dueAtEnd: number;
}

/** Everything measured of one size. */
export interface SizeMeasurement {
  /** A processor instance with an empty state directory. */
  newInstance: ProcessorStart;
  /** The same instance killed (SIGKILL) and started again on its state directory. */
  restart: ProcessorStart;
  gateway: {
    /** Seconds from its spawn until /ready answered 200. */
    readyS: number;
    /** Seconds from its spawn until a command was answered 200. */
    firstAnswerS: number;
    residentMbAfterStart: number | undefined;
  };
  writes: LoadResult;
  afterWrites: {
    processorResidentMb: number | undefined;
    gatewayResidentMb: number | undefined;
  };
  /** The timers of the restarted instance, from its start to the end of the writes. */
  timers: TimerFigures;
}

export interface MeasureSizeOptions {
  sandbox: Sandbox;
  shape: ScaleShape;
  load: ScaleLoad;
  partitions: number;
  connections: number;
  warmupS: number;
  durationS: number;
  /** Each process spawned, so that a teardown stops it whatever happens here. */
  spawned: (process: TimedProcess) => void;
  progress: (message: string) => void;
}

/** Long enough for a new instance to restore a million streams on a small machine. */
const DECIDE_TIMEOUT_MS = 20 * 60_000;
/** For a service to listen, be ready and answer. */
const SERVICE_TIMEOUT_MS = 120_000;
/** The instance id the processor keeps across its restart: it names its local store and transactional id. */
const INSTANCE_ID = 'scale-1';

const secondsBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e9;

/**
 * One size, loaded: a processor instance started on an empty state directory, then killed
 * and started again on it; a gateway started with the outcomes in place; commands through it
 * to random loaded streams; resident memory along the way, and the timers' cost at the end.
 * The services run as separate processes, as deployed; both are stopped before it returns.
 */
export async function measureSize(options: MeasureSizeOptions): Promise<SizeMeasurement> {
  const { sandbox, shape, partitions, progress } = options;
  const env = { ...sandbox.env, VERITY_PARTITIONS: String(partitions) };
  const topics = contextTopics('inventory', sandbox.prefix);
  // One token per tenant of the load, signed before any is sent.
  const credentials = await tenantCredentials(
    env,
    Array.from({ length: shape.tenants }, (_, n) => loadedStream(n, shape.tenants).tenant),
  );
  const taken = new Set<number>();
  const spawn = async (name: string, service: 'command-processor' | 'gateway', own: NodeJS.ProcessEnv = {}) => {
    const spawned = await spawnTimed(name, service, { ...env, ...own }, taken);
    options.spawned(spawned);
    return spawned;
  };
  const producer = sandbox.kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const watch = await watchReplies(
    sandbox.kafka,
    sandbox.admin,
    repliesTopic(sandbox.prefix),
    `${sandbox.prefix}.bench.replies`,
  );
  const probeStreams = firstStreamOfEachPartition(shape, partitions);
  const processors: TimedProcess[] = [];
  let gateway: TimedProcess | undefined;

  /**
   * Sends a ReceiveStock to the first stream of each partition, then starts a processor
   * instance: each probe is decided once its partition is restored, so the last probe's reply
   * says the instance decides on every partition it owns.
   */
  async function startProcessor(run: string): Promise<ProcessorStart> {
    const probes = probeStreams.map((n) => {
      const { tenant, sku } = loadedStream(n, shape.tenants);
      return commandEnvelope({
        type: BENCH_COMMAND_TYPE,
        tenant,
        payload: { sku, location: 'probe', quantity: 1 },
        commandId: `probe-${run}-${n}`,
      });
    });
    const ids = probes.map((p) => p.commandId);
    watch.expect(ids);
    await producer.send({ topic: topics.commands, acks: -1, messages: probes.map(commandMessage) });
    const processor = await spawn(`command-processor (${run})`, 'command-processor', {
      VERITY_INSTANCE_ID: INSTANCE_ID,
    });
    processors.push(processor);
    progress(`${run}: command-processor pid ${processor.pid}, ${ids.length} partitions to decide on`);
    const decidedAt = await waitFor(
      `${processor.name} deciding on every partition`,
      async () => {
        const seen = ids.map((id) => watch.seen(id)).filter((s): s is SeenReply => s !== undefined);
        return seen.length === ids.length ? seen : undefined;
      },
      { timeoutMs: DECIDE_TIMEOUT_MS, alive: [processor], intervalMs: 20 },
    );
    const wrong = decidedAt.filter(({ reply }) => reply.status !== 'accepted' || reply.version < 2);
    if (wrong.length > 0)
      throw new VerityError(
        'bench_probe_not_decided_on_loaded_state',
        `${processor.name}: a probe was not accepted on a loaded stream: ${JSON.stringify(wrong[0]!.reply)}`,
      );
    const times = decidedAt.map(({ at }) => secondsBetween(processor.spawnedAt, at));
    const resident = residentMb(processor.pid);
    // Its HTTP server listens once the processors of every context have started, maybe after the probes.
    const restoredRecords = await waitFor(
      `${processor.name} /metrics`,
      async () => {
        const metrics = await fetchText(`${processor.url}/metrics`);
        if (metrics?.status !== 200) return undefined;
        return metricValue(metrics.body, 'verity_state_restored_records_total', { context: 'inventory' });
      },
      { timeoutMs: SERVICE_TIMEOUT_MS, alive: [processor] },
    );
    const start: ProcessorStart = {
      firstDecisionS: Math.min(...times),
      allPartitionsS: Math.max(...times),
      restoredRecords,
      residentMb: resident,
    };
    progress(
      `${run}: decided on every partition after ${start.allPartitionsS.toFixed(1)} s, ` +
        `${start.restoredRecords} state records restored, ${start.residentMb?.toFixed(0)} MB resident`,
    );
    return start;
  }

  try {
    const newInstance = await startProcessor('new instance');
    await processors[0]!.kill();
    progress('killed the command-processor (SIGKILL)');
    const restart = await startProcessor('restart');
    const processor = processors[1]!;

    gateway = await spawn('gateway', 'gateway');
    const gw = gateway;
    const alive = { timeoutMs: SERVICE_TIMEOUT_MS, alive: [gw, processor] };
    const readyS = await waitFor(
      'the gateway ready',
      async () => ((await fetchText(`${gw.url}/ready`))?.status === 200 ? gw.elapsedS() : undefined),
      alive,
    );
    const firstAnswerS = await waitFor(
      'the gateway answering a command',
      async () => ((await postReceive(gw.url, shape, credentials)) === 200 ? gw.elapsedS() : undefined),
      alive,
    );
    const gatewayStart = { readyS, firstAnswerS, residentMbAfterStart: residentMb(gw.pid) };
    progress(`gateway ready after ${readyS.toFixed(2)} s, first answer after ${firstAnswerS.toFixed(2)} s`);
    await watch.stop();

    progress(
      `writes: ${options.connections} in flight, ${options.warmupS} s warm-up + ${options.durationS} s, random streams of ${shape.streams}`,
    );
    const writes = await measureGatewayLoad({
      name: `gateway ReceiveStock, random streams of ${shape.streams}`,
      gatewayUrls: [gw.url],
      connections: options.connections,
      skus: shape.streams,
      warmupS: options.warmupS,
      durationS: options.durationS,
      nextCommand: () => receiveOnRandomStream(shape),
      credentials,
    });
    if (!gw.running() || !processor.running())
      throw new VerityError('bench_service_ended', 'a service under test ended during the writes (see above)');
    const afterWrites = { processorResidentMb: residentMb(processor.pid), gatewayResidentMb: residentMb(gw.pid) };
    const timers = timerFigures((await fetchText(`${processor.url}/metrics`))?.body ?? '', options.load);
    return { newInstance, restart, gateway: gatewayStart, writes, afterWrites, timers };
  } finally {
    await watch.stop().catch(() => undefined);
    await producer.disconnect();
    await gateway?.stop();
    for (const processor of processors) await processor.stop();
  }
}

/** POSTs a ReceiveStock to a random loaded stream; the answer's status, or undefined without one. */
async function postReceive(
  url: string,
  shape: ScaleShape,
  credentials: TenantCredentials,
): Promise<number | undefined> {
  const { tenant, payload } = receiveOnRandomStream(shape);
  try {
    const res = await fetch(`${url}/v1/commands/${BENCH_COMMAND_TYPE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': tenant, ...credentials(tenant) },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/** The inventory timers' checks from a processor's /metrics, beside what the load made due. */
export function timerFigures(metrics: string, load: Pick<ScaleLoad, 'expiries'>, now = Date.now()): TimerFigures {
  const labels = { context: 'inventory' };
  const checks = histogramOf(metrics, 'verity_timer_check_seconds', labels);
  return {
    checks: checks?.count ?? 0,
    meanMs: checks ? histogramMean(checks) * 1000 : Number.NaN,
    p99Ms: checks ? histogramQuantile(checks, 0.99) * 1000 : Number.NaN,
    commandsSent: metricValue(metrics, 'verity_timer_commands_sent_total', labels) ?? 0,
    reservations: load.expiries.length,
    dueAtEnd: load.expiries.filter((at) => at <= now).length,
  };
}
