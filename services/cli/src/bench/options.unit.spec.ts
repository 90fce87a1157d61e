import { UsageError } from '../errors';
import { SERVICE_NAMES } from '../service-names';
import { parseBenchOptions, readsSkippedBecause } from './options';

describe('bench options', () => {
  it('defaults to 10 s runs after 2 s of warm-up, 32 in flight, the whole platform', () => {
    expect(parseBenchOptions([], {})).toEqual({
      durationS: 10,
      warmupS: 2,
      connections: 32,
      batchSize: 50,
      skus: 1000,
      services: [...SERVICE_NAMES],
      instances: 1,
      out: '.verity/bench',
      emmett: true,
      search: true,
      reads: true,
      readRate: 5000,
      visibility: true,
      visibleRate: 1000,
    });
  });

  it('profiles the services only when asked, by flag or environment', () => {
    expect(parseBenchOptions(['--cpu-prof', 'prof'], {}).cpuProf).toBe('prof');
    expect(parseBenchOptions([], { VERITY_BENCH_CPU_PROF: 'p2' }).cpuProf).toBe('p2');
    expect(parseBenchOptions([], {}).cpuProf).toBeUndefined();
    expect(() => parseBenchOptions(['--cpu-prof'], {})).toThrow(/--cpu-prof needs a value/);
  });

  it('sets the visibility run by flag or environment, and leaves it out with --no-visibility', () => {
    expect(parseBenchOptions(['--visible-rate', '250'], {})).toMatchObject({ visibility: true, visibleRate: 250 });
    expect(parseBenchOptions([], { VERITY_BENCH_VISIBLE_RATE: '400' }).visibleRate).toBe(400);
    expect(parseBenchOptions(['--no-visibility'], {}).visibility).toBe(false);
    expect(parseBenchOptions([], { VERITY_BENCH_VISIBILITY: 'false' }).visibility).toBe(false);
    expect(() => parseBenchOptions(['--visible-rate', '0'], {})).toThrow(/visibleRate/);
  });

  it('takes flags in both spellings over the environment', () => {
    const options = parseBenchOptions(['--duration', '5', '--connections=8'], {
      VERITY_BENCH_DURATION_S: '30',
      VERITY_BENCH_SKUS: '50',
    });
    expect(options).toMatchObject({ durationS: 5, connections: 8, skus: 50 });
  });

  it('runs a subset of the services when asked, but never without the write path', () => {
    expect(parseBenchOptions(['--services', 'gateway,command-processor'], {}).services).toEqual([
      'gateway',
      'command-processor',
    ]);
    expect(() => parseBenchOptions(['--services', 'gateway'], {})).toThrow(/needs gateway and command-processor/);
  });

  it('leaves Emmett out with --no-emmett or VERITY_BENCH_EMMETT=false, wherever the switch stands', () => {
    expect(parseBenchOptions(['--no-emmett', '--duration', '5'], {})).toMatchObject({ emmett: false, durationS: 5 });
    expect(parseBenchOptions(['--duration=5', '--no-emmett'], {}).emmett).toBe(false);
    expect(parseBenchOptions([], { VERITY_BENCH_EMMETT: 'false' }).emmett).toBe(false);
    expect(parseBenchOptions([], { VERITY_BENCH_EMMETT: '1' }).emmett).toBe(true);
    expect(() => parseBenchOptions([], { VERITY_BENCH_EMMETT: 'maybe' })).toThrow(/emmett/);
    expect(() => parseBenchOptions(['--emmett', 'false'], {})).toThrow(/--no-emmett/);
  });

  it('leaves the gateway search out with --no-search or VERITY_BENCH_SEARCH=false, beside --no-emmett', () => {
    expect(parseBenchOptions(['--no-search', '--connections', '64'], {})).toMatchObject({
      search: false,
      emmett: true,
      connections: 64,
    });
    expect(parseBenchOptions(['--no-emmett', '--no-search'], {})).toMatchObject({ search: false, emmett: false });
    expect(parseBenchOptions([], { VERITY_BENCH_SEARCH: 'false' }).search).toBe(false);
    expect(parseBenchOptions([], { VERITY_BENCH_SEARCH: 'true' }).search).toBe(true);
    expect(() => parseBenchOptions([], { VERITY_BENCH_SEARCH: 'maybe' })).toThrow(/search/);
    expect(() => parseBenchOptions(['--search'], {})).toThrow(/--no-search/);
  });

  it('runs up to 4 instances of the gateway and the processor, each with at least one in flight', () => {
    expect(parseBenchOptions(['--instances', '2'], {}).instances).toBe(2);
    expect(parseBenchOptions([], { VERITY_BENCH_INSTANCES: '4' }).instances).toBe(4);
    expect(() => parseBenchOptions(['--instances', '5'], {})).toThrow(/instances/);
    expect(() => parseBenchOptions(['--instances', '0'], {})).toThrow(/instances/);
    expect(() => parseBenchOptions(['--instances=3', '--connections=2'], {})).toThrow(
      /connections: at least one in flight per gateway instance/,
    );
  });

  it('leaves the reads out with --no-reads or VERITY_BENCH_READS=false, and takes their rate', () => {
    expect(parseBenchOptions(['--no-reads', '--no-emmett'], {})).toMatchObject({ reads: false, emmett: false });
    expect(parseBenchOptions([], { VERITY_BENCH_READS: 'false' }).reads).toBe(false);
    expect(parseBenchOptions([], { VERITY_BENCH_READS: 'true' }).reads).toBe(true);
    expect(() => parseBenchOptions([], { VERITY_BENCH_READS: 'maybe' })).toThrow(/reads/);
    expect(() => parseBenchOptions(['--reads'], {})).toThrow(/--no-reads/);
    expect(parseBenchOptions(['--read-rate', '2000'], { VERITY_BENCH_READ_RATE: '3000' }).readRate).toBe(2000);
    expect(parseBenchOptions([], { VERITY_BENCH_READ_RATE: '3000' }).readRate).toBe(3000);
    expect(() => parseBenchOptions(['--read-rate', '0'], {})).toThrow(/readRate/);
  });

  it('skips the reads, saying why, when the services lack the projector or the query API', () => {
    expect(readsSkippedBecause(parseBenchOptions([], {}).services)).toBeUndefined();
    expect(readsSkippedBecause(['gateway', 'command-processor'])).toBe(
      'the reads need projector and query-api in --services',
    );
    expect(readsSkippedBecause(['gateway', 'command-processor', 'projector'])).toBe(
      'the reads need query-api in --services',
    );
  });

  it('names an unknown flag, a missing value and a bad number as usage errors', () => {
    expect(() => parseBenchOptions(['--rate', '5'], {})).toThrow(UsageError);
    expect(() => parseBenchOptions(['--duration'], {})).toThrow(/needs a value/);
    expect(() => parseBenchOptions(['--connections', '0'], {})).toThrow(/connections/);
  });
});
