import autocannon from 'autocannon';
import { countError, toLoadResult, type LoadResult, type MeasuredRun } from './load-result';
import { BENCH_COMMAND_TYPE, BENCH_TENANT, receiveStockPayload } from './workload';

export interface GatewayLoadOptions {
  name: string;
  /** Base URL of the gateway, on a loopback address. */
  gatewayUrl: string;
  connections: number;
  skus: number;
  warmupS: number;
  durationS: number;
}

/**
 * Commands through the gateway, measured by autocannon: `connections` keep-alive connections,
 * one request in flight each (no pipelining, as clients do). Only a 200 counts; every other
 * answer and every socket error or timeout is an error, counted by cause.
 */
export async function measureGatewayLoad(options: GatewayLoadOptions): Promise<LoadResult> {
  let seq = 0;
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
    await new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${options.gatewayUrl}/v1/commands/${BENCH_COMMAND_TYPE}`,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tenant-id': BENCH_TENANT },
          connections: options.connections,
          pipelining: 1,
          duration: durationS,
          // Longer than the gateway's reply timeout, so a slow command shows up as its 202, not as ours.
          timeout: 30,
          // A new body per request: the SKUs cycle, so commands spread over `skus` streams.
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                body: JSON.stringify(receiveStockPayload(seq++, options.skus)),
              }),
            },
          ],
        },
        (error) => (error ? reject(error) : resolve()),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
        run.requests++;
        if (statusCode === 200) {
          run.operations++;
          run.latenciesMs.push(responseTimeMs);
        } else {
          countError(run.errorsByCause, `status ${statusCode}`);
        }
      });
      instance.on('reqError', (error: Error & { code?: string }) => {
        run.requests++;
        countError(run.errorsByCause, error.code ?? error.name);
      });
    });
    run.durationS = Number(process.hrtime.bigint() - start) / 1e9;
    return run;
  };

  if (options.warmupS > 0) await drive(options.warmupS);
  return toLoadResult(await drive(options.durationS));
}
