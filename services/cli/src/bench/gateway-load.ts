import autocannon from 'autocannon';
import type { TenantCredentials } from './credentials';
import { countAnswers, toLoadResult, type LoadResult, type MeasuredRun } from './load-result';
import { countCpu, type ProcessGroups } from './process-cpu';
import { BENCH_COMMAND_TYPE, BENCH_TENANT, receiveStockPayload } from './workload';

export interface GatewayLoadOptions {
  name: string;
  /** Base URL of each gateway instance, on a loopback address. */
  gatewayUrls: readonly string[];
  connections: number;
  skus: number;
  warmupS: number;
  durationS: number;
  /**
   * The tenant and payload of the n-th command. Default: a ReceiveStock of tenant `bench`, the
   * SKUs cycling over `skus`.
   */
  nextCommand?: (seq: number) => { tenant: string; payload: unknown };
  /** The credential of each tenant `nextCommand` names, made before the run. */
  credentials: TenantCredentials;
  /**
   * The processes whose CPU time is counted over the measured run, by name (`gateway`,
   * `command-processor`, `kafka`, ...): each name's CPU per command answered 200. Asked before
   * and after the run: a group may gain processes meanwhile (PostgreSQL's backends of new pooled
   * connections).
   */
  processes?: ProcessGroups;
}

/**
 * `connections` spread over `targets` as evenly as they go, the first ones taking the
 * remainder; a target that gets none is left out.
 */
export function spreadConnections<T>(
  connections: number,
  targets: readonly T[],
): Array<{ target: T; connections: number }> {
  const each = Math.floor(connections / targets.length);
  const remainder = connections % targets.length;
  return targets
    .map((target, i) => ({ target, connections: each + (i < remainder ? 1 : 0) }))
    .filter((share) => share.connections > 0);
}

/**
 * Commands through the gateway, measured by autocannon: `connections` keep-alive connections,
 * one request in flight each (no pipelining, as clients do), spread over the gateway
 * instances by one autocannon per instance, all at once, counted together as one run. Only a
 * 200 counts; every other answer and every socket error or timeout is an error, counted by cause.
 */
export async function measureGatewayLoad(options: GatewayLoadOptions): Promise<LoadResult> {
  let seq = 0;
  const nextCommand =
    options.nextCommand ?? ((n: number) => ({ tenant: BENCH_TENANT, payload: receiveStockPayload(n, options.skus) }));
  const drive = async (durationS: number): Promise<MeasuredRun> => {
    const run = {
      name: options.name,
      operations: 0,
      requests: 0,
      durationS: 0,
      latenciesMs: [] as number[],
      errorsByCause: {} as Record<string, number>,
    };
    const start = process.hrtime.bigint();
    const shares = spreadConnections(options.connections, options.gatewayUrls);
    // Each instance counts into the one run: operations and errors add up, latencies pool.
    const driveOne = (gatewayUrl: string, connections: number): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const instance = autocannon(
          {
            url: `${gatewayUrl}/v1/commands/${BENCH_COMMAND_TYPE}`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            connections,
            pipelining: 1,
            duration: durationS,
            // Longer than the gateway's reply timeout, so a slow command shows up as its 202, not as ours.
            timeout: 30,
            // A new command per request, so commands spread over the streams `nextCommand` picks.
            requests: [
              {
                setupRequest: (request) => {
                  const { tenant, payload } = nextCommand(seq++);
                  return {
                    ...request,
                    headers: { ...request.headers, 'x-tenant-id': tenant, ...options.credentials(tenant) },
                    body: JSON.stringify(payload),
                  };
                },
              },
            ],
          },
          (error) => (error ? reject(error) : resolve()),
        );
        countAnswers(instance, run);
      });
    await Promise.all(shares.map(({ target, connections }) => driveOne(target, connections)));
    run.durationS = Number(process.hrtime.bigint() - start) / 1e9;
    return run;
  };

  if (options.warmupS > 0) await drive(options.warmupS);
  const cpu = countCpu(options.processes);
  const result = toLoadResult(await drive(options.durationS));
  const cpuUsPerCommand = cpu.perCommand(result.operations);
  return cpuUsPerCommand ? { ...result, cpuUsPerCommand } : result;
}
