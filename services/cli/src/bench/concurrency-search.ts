/**
 * The search for a system's best concurrency: raise the in-flight count step by step until
 * throughput stops growing or latency passes its bound. Pure, so the stop rule is tested alone.
 */
export interface SearchRule {
  /** In-flight count of the first step. */
  start: number;
  /** Each step multiplies the in-flight count by this. */
  factor: number;
  /** No step goes past this in-flight count: the search stays bounded in time and connections. */
  maxInFlight: number;
  /** A step must beat the best throughput so far by this fraction (0.05 = 5 %) to count as growth. */
  minGain: number;
  /** A step whose p99 is above this (ms) ends the search and cannot be the best. */
  maxP99Ms: number;
}

/** Emmett's search: 8, 16, 32, 64, 128 in flight at most, 5 % growth, p99 at most 500 ms (issue 9). */
export const EMMETT_SEARCH: SearchRule = { start: 8, factor: 2, maxInFlight: 128, minGain: 0.05, maxP99Ms: 500 };

/**
 * The gateway's search: 32, 64, 128, 256, 512 in flight at most, 5 % growth, p99 at most
 * 500 ms. It starts where the gateway's run at 32 in flight stands and goes further than
 * Emmett's, since issue 9 asks for the gateway's throughput at saturation (many clients).
 */
export const GATEWAY_SEARCH: SearchRule = { start: 32, factor: 2, maxInFlight: 512, minGain: 0.05, maxP99Ms: 500 };

/** One measured step, as the rule sees it. */
export interface SearchPoint {
  inFlight: number;
  throughputPerS: number;
  /** NaN or null when nothing succeeded: such a step is never within the bound. */
  p99Ms: number | null;
}

export type SearchVerdict = { next: number } | { stop: string };

const withinBound = (point: SearchPoint, rule: SearchRule): boolean =>
  point.p99Ms !== null && Number.isFinite(point.p99Ms) && point.p99Ms <= rule.maxP99Ms;

/** The step with the highest throughput within the p99 bound; without one, the first step. */
export function bestPoint<P extends SearchPoint>(steps: readonly P[], rule: SearchRule): P | undefined {
  const candidates = steps.filter((s) => withinBound(s, rule));
  return (
    candidates.reduce<P | undefined>(
      (best, s) => (best === undefined || s.throughputPerS > best.throughputPerS ? s : best),
      undefined,
    ) ?? steps[0]
  );
}

/** The next in-flight count to measure after `steps` (in the order measured), or why to stop. */
export function nextStep(steps: readonly SearchPoint[], rule: SearchRule): SearchVerdict {
  const last = steps.at(-1);
  if (last === undefined) return { next: rule.start };
  if (!withinBound(last, rule)) {
    return { stop: `p99 over ${rule.maxP99Ms} ms at ${last.inFlight} in flight` };
  }
  const before = bestPoint(steps.slice(0, -1), rule);
  if (
    before !== undefined &&
    withinBound(before, rule) &&
    last.throughputPerS < before.throughputPerS * (1 + rule.minGain)
  ) {
    return {
      stop: `throughput grew less than ${Math.round(rule.minGain * 100)} % from ${before.inFlight} to ${last.inFlight} in flight`,
    };
  }
  const next = Math.ceil(last.inFlight * rule.factor);
  if (next <= last.inFlight || next > rule.maxInFlight)
    return { stop: `reached the bound of ${rule.maxInFlight} in flight` };
  return { next };
}

/** A search's outcome: each run in the order measured, the best of them and why it ended. */
export interface SearchOutcome<R> {
  steps: R[];
  best: R;
  stoppedBecause: string;
}

/**
 * Measures step after step as `rule` asks until it says stop. `measure` may hand back a run
 * made before at the same in-flight count instead of measuring again.
 */
export async function searchBest<R>(
  rule: SearchRule,
  measure: (inFlight: number) => Promise<R>,
  pointOf: (run: R) => SearchPoint,
): Promise<SearchOutcome<R>> {
  const pointed = (run: R): SearchPoint & { run: R } => ({ ...pointOf(run), run });
  const first = pointed(await measure(rule.start));
  const steps = [first];
  for (;;) {
    const verdict = nextStep(steps, rule);
    if ('stop' in verdict) {
      const best = bestPoint(steps, rule) ?? first;
      return { steps: steps.map((s) => s.run), best: best.run, stoppedBecause: verdict.stop };
    }
    steps.push(pointed(await measure(verdict.next)));
  }
}
