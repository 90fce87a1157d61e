import { GATEWAY_SEARCH, searchBest, type SearchOutcome, type SearchRule } from './concurrency-search';
import type { LoadResult } from './load-result';

/** A gateway run and the in-flight count it was made at. */
export interface GatewayStep extends LoadResult {
  connections: number;
}

export interface GatewaySearch extends SearchOutcome<GatewayStep> {
  rule: SearchRule;
}

/**
 * The search for the gateway's throughput at saturation (GATEWAY_SEARCH). `first` is the run
 * the bench made already; a step at its in-flight count reuses it.
 */
export async function searchGateway(
  first: GatewayStep,
  measure: (connections: number) => Promise<LoadResult>,
  progress: (message: string) => void,
): Promise<GatewaySearch> {
  const rule = GATEWAY_SEARCH;
  const step = async (connections: number): Promise<GatewayStep> => {
    if (connections === first.connections) return first;
    progress(`gateway, ${connections} in flight (search)`);
    const result = { ...(await measure(connections)), connections };
    progress(
      `gateway, ${connections} in flight: ${result.throughputPerS.toFixed(0)} commands/s, ` +
        `p99 ${result.latencyMs.p99.toFixed(0)} ms, ${result.errors} errors`,
    );
    return result;
  };
  const outcome = await searchBest(rule, step, (s) => ({
    inFlight: s.connections,
    throughputPerS: s.throughputPerS,
    p99Ms: s.latencyMs.p99,
  }));
  return { rule, ...outcome };
}
