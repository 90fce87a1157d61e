import { Agent, request } from 'node:http';
import { countError, toLoadResult, type LoadResult } from './load-result';
import { summarizeLatencies, type LatencySummary } from './percentiles';
import { countCpu, type ProcessGroups } from './process-cpu';
import { dueBy } from './read-load';
import { BENCH_COMMAND_TYPE, receiveStockPayload } from './workload';

export interface VisibilityOptions {
  gatewayUrl: string;
  queryApiUrl: string;
  /** The credential both requests carry (a writer of the bench tenant reads its own stock). */
  headers: Record<string, string>;
  /** Commands per second, open loop. */
  ratePerS: number;
  warmupS: number;
  durationS: number;
  skus: number;
  /** Keep-alive connections to each server at most. */
  connections: number;
  /**
   * The processes whose CPU is counted over the measured run, by name: at a fixed rate each
   * variant of a build does the same work in the same time, so their CPU a command compares
   * where closed-loop throughput moves with whatever else takes the cores.
   */
  processes?: ProcessGroups;
}

/**
 * Commands at a fixed rate, each read back with its reply's consistency token. Its latency
 * (`latencyMs`) runs from when the command was due to when the query API answered `200` with
 * `X-Consistency: fresh`: the read model shows it. `replyMs` and `afterReplyMs` split it at the
 * gateway's reply.
 */
export interface VisibilityRun extends LoadResult {
  ratePerS: number;
  replyMs: LatencySummary;
  afterReplyMs: LatencySummary;
}

const REQUEST_TIMEOUT_MS = 10_000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request on `agent`; rejects on a socket error or after REQUEST_TIMEOUT_MS. */
function send(
  agent: Agent,
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', reject);
    req.end(body);
  });
}

const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** The two requests of the run: a ReceiveStock through the gateway, and its SKU read back with a token. */
interface PlatformClient {
  command(payload: ReturnType<typeof receiveStockPayload>): Promise<Answer>;
  readStock(sku: string, consistencyToken: string): Promise<Answer>;
}

function platformClient(agent: Agent, options: VisibilityOptions): PlatformClient {
  const commandUrl = new URL(`/v1/commands/${BENCH_COMMAND_TYPE}`, options.gatewayUrl);
  return {
    command: (payload) =>
      send(
        agent,
        commandUrl,
        'POST',
        { ...options.headers, 'content-type': 'application/json' },
        JSON.stringify(payload),
      ),
    readStock: (sku, consistencyToken) =>
      send(agent, new URL(`/v1/inventory/${encodeURIComponent(sku)}`, options.queryApiUrl), 'GET', {
        ...options.headers,
        'x-consistency-token': consistencyToken,
      }),
  };
}

const tokenOf = (reply: Answer): string => (JSON.parse(reply.body) as { consistencyToken: string }).consistencyToken;
const isFresh = (read: Answer): boolean => read.status === 200 && read.headers['x-consistency'] === 'fresh';

/** How long the run waits for the read model to catch up with the runs before it. */
const CATCH_UP_TIMEOUT_MS = 300_000;

/**
 * Resolves once a command sent now is visible in the read model: the runs before this one leave
 * a backlog the projector may still be applying, and a steady rate is measured from a read model
 * that has caught up, not behind that backlog.
 */
async function caughtUp(client: PlatformClient, skus: number): Promise<void> {
  const payload = receiveStockPayload(0, skus);
  const reply = await client.command(payload);
  if (reply.status !== 200) throw new Error(`visibility: a first command was answered ${reply.status}: ${reply.body}`);
  const token = tokenOf(reply);
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  for (;;) {
    const read = await client.readStock(payload.sku, token);
    if (isFresh(read)) return;
    if (Date.now() > deadline)
      throw new Error(
        `visibility: the read model did not catch up within ${CATCH_UP_TIMEOUT_MS / 1000} s (last answer ${read.status})`,
      );
  }
}

interface DrivenRun {
  latencies: number[];
  replies: number[];
  afterReplies: number[];
  errors: Record<string, number>;
  requests: number;
  durationS: number;
}

/**
 * Issue 9's "command to read model visible": ReceiveStock at `ratePerS` through the gateway,
 * each due at n / rate whatever the answers before it did (open loop: a platform that falls
 * behind shows its queue in the latencies), and as soon as its reply comes, `GET
 * /v1/inventory/{sku}` with the reply's `X-Consistency-Token`. Only a fresh `200` counts; a
 * rejected command, a stale read or any other answer is an error by cause. Starts once the read
 * model has caught up with the runs before it; ends when every command sent has its outcome.
 */
export async function measureVisibility(options: VisibilityOptions): Promise<VisibilityRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const client = platformClient(agent, options);
  let seq = 0;
  const drive = (durationS: number) =>
    new Promise<DrivenRun>((resolve) => {
      const total = Math.round(durationS * options.ratePerS);
      const run: DrivenRun = {
        latencies: [],
        replies: [],
        afterReplies: [],
        errors: {},
        requests: total,
        durationS: 0,
      };
      const start = process.hrtime.bigint();
      let sent = 0;
      let settled = 0;
      const settle = (): void => {
        if (++settled < total) return;
        run.durationS = secondsSince(start);
        resolve(run);
      };
      const one = async (dueS: number): Promise<void> => {
        const payload = receiveStockPayload(seq++, options.skus);
        const reply = await client.command(payload);
        if (reply.status !== 200) return countError(run.errors, `command ${reply.status}`);
        const repliedS = secondsSince(start);
        const read = await client.readStock(payload.sku, tokenOf(reply));
        if (read.status !== 200) return countError(run.errors, `read ${read.status}`);
        if (!isFresh(read)) return countError(run.errors, 'read stale');
        const visibleS = secondsSince(start);
        run.latencies.push((visibleS - dueS) * 1000);
        run.replies.push((repliedS - dueS) * 1000);
        run.afterReplies.push((visibleS - repliedS) * 1000);
      };
      const tick = (): void => {
        const due = dueBy(secondsSince(start), options.ratePerS, total);
        for (; sent < due; sent++) {
          one(sent / options.ratePerS)
            .catch((error: NodeJS.ErrnoException) => countError(run.errors, error.code ?? error.name))
            .finally(settle);
        }
        if (sent < total) setTimeout(tick, 1);
      };
      tick();
    });
  try {
    await caughtUp(client, options.skus);
    if (options.warmupS > 0) await drive(options.warmupS);
    const cpu = countCpu(options.processes);
    const run = await drive(options.durationS);
    const cpuUsPerCommand = cpu.perCommand(run.latencies.length);
    const result = toLoadResult({
      name: `command -> read model visible, ${options.ratePerS}/s`,
      operations: run.latencies.length,
      requests: run.requests,
      durationS: run.durationS,
      latenciesMs: run.latencies,
      errorsByCause: run.errors,
    });
    return {
      ...result,
      ...(cpuUsPerCommand ? { cpuUsPerCommand } : {}),
      ratePerS: options.ratePerS,
      replyMs: summarizeLatencies(run.replies),
      afterReplyMs: summarizeLatencies(run.afterReplies),
    };
  } finally {
    agent.destroy();
  }
}
