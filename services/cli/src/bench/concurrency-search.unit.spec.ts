import {
  bestPoint,
  EMMETT_SEARCH,
  GATEWAY_SEARCH,
  nextStep,
  searchBest,
  type SearchPoint,
  type SearchRule,
} from './concurrency-search';

const rule: SearchRule = { start: 8, factor: 2, maxInFlight: 128, minGain: 0.05, maxP99Ms: 500 };
const at = (inFlight: number, throughputPerS: number, p99Ms: number | null = 50): SearchPoint => ({
  inFlight,
  throughputPerS,
  p99Ms,
});

describe('concurrency search', () => {
  it('starts at the first step and doubles while throughput grows', () => {
    expect(nextStep([], rule)).toEqual({ next: 8 });
    expect(nextStep([at(8, 500)], rule)).toEqual({ next: 16 });
    expect(nextStep([at(8, 500), at(16, 900)], rule)).toEqual({ next: 32 });
  });

  it('stops when a step beats the best so far by less than the minimum gain', () => {
    expect(nextStep([at(8, 500), at(16, 1000), at(32, 1040)], rule)).toEqual({
      stop: 'throughput grew less than 5 % from 16 to 32 in flight',
    });
    expect(nextStep([at(8, 500), at(16, 1000), at(32, 1060)], rule)).toEqual({ next: 64 });
  });

  it('compares with the best step, not with the one before: a dip does not restart the growth', () => {
    expect(nextStep([at(8, 1000), at(16, 700)], rule)).toEqual({
      stop: 'throughput grew less than 5 % from 8 to 16 in flight',
    });
    expect(nextStep([at(8, 1000), at(16, 700), at(32, 1020)], rule)).toEqual({
      stop: 'throughput grew less than 5 % from 8 to 32 in flight',
    });
  });

  it('stops at a step whose p99 is over the bound, or that measured nothing', () => {
    expect(nextStep([at(8, 500), at(16, 2000, 501)], rule)).toEqual({ stop: 'p99 over 500 ms at 16 in flight' });
    expect(nextStep([at(8, 0, null)], rule)).toEqual({ stop: 'p99 over 500 ms at 8 in flight' });
    expect(nextStep([at(8, 0, Number.NaN)], rule)).toEqual({ stop: 'p99 over 500 ms at 8 in flight' });
  });

  it('never goes past the bound on in-flight commands', () => {
    const growing = [at(8, 100), at(16, 200), at(32, 400), at(64, 800), at(128, 1600)];
    expect(nextStep(growing, rule)).toEqual({ stop: 'reached the bound of 128 in flight' });
    expect(nextStep(growing.slice(0, 4), rule)).toEqual({ next: 128 });
  });

  it('takes as best the highest throughput within the p99 bound', () => {
    expect(bestPoint([at(8, 500), at(16, 1000), at(32, 980)], rule)).toEqual(at(16, 1000));
    expect(bestPoint([at(8, 500), at(16, 1000), at(32, 2000, 800)], rule)).toEqual(at(16, 1000));
  });

  it('falls back to the first step when none is within the bound, and has no best without steps', () => {
    expect(bestPoint([at(8, 500, 900), at(16, 700, 1200)], rule)).toEqual(at(8, 500, 900));
    expect(bestPoint([], rule)).toBeUndefined();
  });

  it("bounds Emmett's search to five steps of at most 128 in flight, p99 at most 500 ms", () => {
    expect(EMMETT_SEARCH).toEqual(rule);
  });

  it("runs the gateway's search from 32 to at most 512 in flight, 5 % growth, p99 at most 500 ms", () => {
    expect(GATEWAY_SEARCH).toEqual({ start: 32, factor: 2, maxInFlight: 512, minGain: 0.05, maxP99Ms: 500 });
    const growing = [at(32, 300), at(64, 600), at(128, 1200), at(256, 2400)];
    expect(nextStep([], GATEWAY_SEARCH)).toEqual({ next: 32 });
    expect(nextStep(growing, GATEWAY_SEARCH)).toEqual({ next: 512 });
    expect(nextStep([...growing, at(512, 4800)], GATEWAY_SEARCH)).toEqual({
      stop: 'reached the bound of 512 in flight',
    });
  });
});

describe('searching for the best concurrency', () => {
  /** A system that saturates at 128 in flight, its p99 passing 500 ms past 256. */
  const system = (inFlight: number): SearchPoint => ({
    inFlight,
    throughputPerS: Math.min(inFlight, 128) * 10,
    p99Ms: inFlight > 256 ? 900 : inFlight,
  });

  it('measures step after step until the rule stops, and names the best run', async () => {
    const measured: number[] = [];
    const outcome = await searchBest(
      GATEWAY_SEARCH,
      async (inFlight) => {
        measured.push(inFlight);
        return system(inFlight);
      },
      (run) => run,
    );
    expect(measured).toEqual([32, 64, 128, 256]);
    expect(outcome).toEqual({
      steps: measured.map(system),
      best: system(128),
      stoppedBecause: 'throughput grew less than 5 % from 128 to 256 in flight',
    });
  });

  it('keeps the runs as measure returns them, so a run made before can stand as a step', async () => {
    const before = { id: 'the run made before', point: system(32) };
    const outcome = await searchBest(
      { ...GATEWAY_SEARCH, maxInFlight: 64 },
      async (inFlight) => (inFlight === 32 ? before : { id: `step ${inFlight}`, point: system(inFlight) }),
      (run) => run.point,
    );
    expect(outcome.steps.map((s) => s.id)).toEqual(['the run made before', 'step 64']);
    expect(outcome.best.id).toBe('step 64');
    expect(outcome.stoppedBecause).toBe('reached the bound of 64 in flight');
  });

  it('falls back to the first step when even that one is over the p99 bound', async () => {
    const outcome = await searchBest(
      GATEWAY_SEARCH,
      async (inFlight) => ({ inFlight, throughputPerS: 50, p99Ms: 2000 }),
      (run) => run,
    );
    expect(outcome).toEqual({
      steps: [{ inFlight: 32, throughputPerS: 50, p99Ms: 2000 }],
      best: { inFlight: 32, throughputPerS: 50, p99Ms: 2000 },
      stoppedBecause: 'p99 over 500 ms at 32 in flight',
    });
  });
});
