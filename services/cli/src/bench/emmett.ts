import { EMMETT_SEARCH, searchBest, type SearchPoint, type SearchRule } from './concurrency-search';
import type { EmmettHarness, HarnessRunOptions } from './emmett-harness';
import { readEmmettRun, type EmmettRun } from './emmett-run';

/** Emmett measured beside the gateway: at the gateway's in-flight count, and at its own best. */
export interface EmmettComparison {
  /** The benchmark-only database the runs used, dropped afterwards. */
  database: string;
  /** At the same in-flight count as the gateway run. */
  sameInFlight: EmmettRun;
  search: {
    rule: SearchRule;
    /** Every step, in the order measured (a step at the gateway's in-flight count reuses that run). */
    steps: EmmettRun[];
    /** The step with the highest throughput whose p99 is within the rule's bound. */
    best: EmmettRun;
    stoppedBecause: string;
  };
}

export interface EmmettBenchOptions extends Omit<HarnessRunOptions, 'connections'> {
  database: string;
  /** The gateway run's in-flight count. */
  connections: number;
  progress: (message: string) => void;
}

const point = (run: EmmettRun): SearchPoint => ({
  inFlight: run.connections,
  throughputPerS: run.commandsPerSec,
  p99Ms: run.p99Ms,
});

/**
 * Emmett's ReceiveStock at the gateway's in-flight count, then the search for its best
 * in-flight count (EMMETT_SEARCH). Each run starts from an empty store and must pass the
 * harness's own verification; a failure ends the bench.
 */
export async function measureEmmett(harness: EmmettHarness, options: EmmettBenchOptions): Promise<EmmettComparison> {
  const { connections, progress, database, ...run } = options;
  const measured = new Map<number, EmmettRun>();
  const measure = async (inFlight: number): Promise<EmmettRun> => {
    const known = measured.get(inFlight);
    if (known) return known;
    progress(`emmett, ${inFlight} in flight: ${run.warmupS} s warm-up + ${run.durationS} s`);
    const result = readEmmettRun(await harness.run({ ...run, connections: inFlight }));
    progress(
      `emmett, ${inFlight} in flight: ${result.commandsPerSec} commands/s, p99 ${result.p99Ms ?? '-'} ms, verify ${result.verify}`,
    );
    measured.set(inFlight, result);
    return result;
  };

  const sameInFlight = await measure(connections);
  const rule = EMMETT_SEARCH;
  return { database, sameInFlight, search: { rule, ...(await searchBest(rule, measure, point)) } };
}
