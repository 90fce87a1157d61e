import autocannon from 'autocannon';
import { createGetPool } from './get-pool';
import { countAnswers, countError, toLoadResult, type LoadResult, type MeasuredRun } from './load-result';
import { cpuMeter } from './process-cpu';

export interface ReadLoadOptions {
  name: string;
  /** Base URL of the server, on a loopback address. */
  url: string;
  /** Paths the requests cycle over, in order. */
  paths: readonly string[];
  headers: Record<string, string>;
  /** Requests in flight at once (closed loop), or at most (fixed rate). */
  connections: number;
  warmupS: number;
  durationS: number;
  /** The server's process, whose CPU time per request the run reports when given. */
  serverPid?: number;
}

/** A read run: what every load run reports, and what each request cost the server. */
export interface ReadRun extends LoadResult {
  /** CPU time of the server's process per request (answered or not) in the measured part, µs; absent without /proc. */
  serverCpuUsPerRequest?: number;
}

/** The measured run after the warm-up, with the server's CPU time over it. */
async function warmThenMeasure(
  options: ReadLoadOptions,
  drive: (durationS: number) => Promise<MeasuredRun>,
): Promise<ReadRun> {
  if (options.warmupS > 0) await drive(options.warmupS);
  const cpu = cpuMeter(options.serverPid);
  const result = toLoadResult(await drive(options.durationS));
  const serverCpuUsPerRequest = cpu.perRequestUs(result.requests);
  return serverCpuUsPerRequest === undefined ? result : { ...result, serverCpuUsPerRequest };
}

const newRun = (name: string): MeasuredRun & { latenciesMs: number[] } => ({
  name,
  operations: 0,
  requests: 0,
  durationS: 0,
  latenciesMs: [],
  errorsByCause: {},
});

/** Seconds since `start` (from process.hrtime.bigint()). */
const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * GETs in a closed loop, measured by autocannon as the gateway is: `connections` keep-alive
 * connections, one request in flight each, paths cycling. Only a 200 counts.
 */
export async function measureReadsClosedLoop(options: ReadLoadOptions): Promise<ReadRun> {
  let seq = 0;
  const drive = (durationS: number): Promise<MeasuredRun> =>
    new Promise((resolve, reject) => {
      const run = newRun(options.name);
      const start = process.hrtime.bigint();
      const instance = autocannon(
        {
          url: options.url,
          headers: options.headers,
          connections: options.connections,
          pipelining: 1,
          duration: durationS,
          timeout: 10,
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                path: options.paths[seq++ % options.paths.length],
              }),
            },
          ],
        },
        (error) => {
          if (error) return reject(error);
          run.durationS = secondsSince(start);
          resolve(run);
        },
      );
      countAnswers(instance, run);
    });
  return warmThenMeasure(options, drive);
}

/** Requests due by `elapsedS` at `ratePerS`, evenly spaced from 0, at most `total`. */
export const dueBy = (elapsedS: number, ratePerS: number, total: number): number =>
  Math.min(total, Math.floor(elapsedS * ratePerS) + 1);

/** How often the fixed-rate driver sends what is due: each tick sends about `ratePerS / 1000` at 1 ms. */
const TICK_MS = 1;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * GETs at a fixed rate, open loop: the n-th request is due at n / `ratePerS` seconds whatever
 * the answers before it did, and its latency runs from then, not from when a connection was
 * free to send it, so a server that falls behind shows its queue in the latencies (no
 * coordinated omission). At most `connections` keep-alive connections (createGetPool); a
 * request due while all are busy waits for one, on the clock. The run ends when every request
 * has its answer.
 *
 * Not autocannon's `overallRate`: that gives each connection a quota per second, which it spends
 * in a closed loop at full speed from the start of the second, so its latencies are those of
 * bursts at the full connection count, and the quiet rest of the second is not measured.
 */
export async function measureReadsAtRate(options: ReadLoadOptions & { ratePerS: number }): Promise<ReadRun> {
  const { hostname, port } = new URL(options.url);
  const pool = createGetPool({
    host: hostname,
    port: Number(port),
    headers: options.headers,
    connections: options.connections,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  let seq = 0;
  const drive = (durationS: number): Promise<MeasuredRun> =>
    new Promise((resolve) => {
      const run = newRun(options.name);
      const total = Math.round(durationS * options.ratePerS);
      const start = process.hrtime.bigint();
      let sent = 0;
      let answered = 0;
      const settle = (): void => {
        if (++answered < total) return;
        run.durationS = secondsSince(start);
        resolve(run);
      };
      const send = (dueS: number): void => {
        pool.get(options.paths[seq++ % options.paths.length] as string).then(
          (status) => {
            run.requests++;
            if (status === 200) {
              run.operations++;
              run.latenciesMs.push((secondsSince(start) - dueS) * 1000);
            } else {
              countError(run.errorsByCause, `status ${status}`);
            }
            settle();
          },
          (error: Error & { code?: string }) => {
            run.requests++;
            countError(run.errorsByCause, error.code ?? error.name);
            settle();
          },
        );
      };
      const tick = (): void => {
        const due = dueBy(secondsSince(start), options.ratePerS, total);
        for (; sent < due; sent++) send(sent / options.ratePerS);
        if (sent >= total) clearInterval(timer);
      };
      const timer = setInterval(tick, TICK_MS);
      tick();
    });
  try {
    return await warmThenMeasure(options, drive);
  } finally {
    pool.close();
  }
}
