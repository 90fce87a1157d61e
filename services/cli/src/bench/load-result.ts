import type autocannon from 'autocannon';
import { summarizeLatencies, type LatencySummary } from './percentiles';

/** What one measured run produced: the same shape for raw produce and for the gateway. */
export interface LoadResult {
  name: string;
  /** Successful operations: records acknowledged by Kafka, or commands answered 200. */
  operations: number;
  /** Requests (sends or HTTP requests) whose latency was measured, successful or not. */
  requests: number;
  durationS: number;
  /** Successful operations per second. */
  throughputPerS: number;
  /** Latency of each successful request (a send of one or more records, or one HTTP request). */
  latencyMs: LatencySummary;
  /** Every failed request: a non-200 answer, a send error, a socket error or a timeout. */
  errors: number;
  /** Failures by cause (`status 202`, `timeout`, an error name), so none is hidden. */
  errorsByCause: Record<string, number>;
  /**
   * CPU time per successful operation of each process measured beside the run, in µs, by name.
   * Unlike throughput it hardly moves when other work takes the cores.
   */
  cpuUsPerCommand?: Record<string, number>;
}

export interface MeasuredRun {
  name: string;
  operations: number;
  requests: number;
  durationS: number;
  latenciesMs: readonly number[];
  errorsByCause: Record<string, number>;
}

export function toLoadResult(run: MeasuredRun): LoadResult {
  return {
    name: run.name,
    operations: run.operations,
    requests: run.requests,
    durationS: run.durationS,
    throughputPerS: run.durationS > 0 ? run.operations / run.durationS : 0,
    latencyMs: summarizeLatencies(run.latenciesMs),
    errors: Object.values(run.errorsByCause).reduce((a, b) => a + b, 0),
    errorsByCause: run.errorsByCause,
  };
}

/** Adds one failure to its cause. */
export function countError(errorsByCause: Record<string, number>, cause: string): void {
  errorsByCause[cause] = (errorsByCause[cause] ?? 0) + 1;
}

/** A run's counts as an autocannon instance adds to them. */
type CountedRun = Pick<MeasuredRun, 'errorsByCause'> & { operations: number; requests: number; latenciesMs: number[] };

/**
 * Counts an autocannon instance's answers into `run`: only a 200 is an operation (its latency
 * kept); every other answer, socket error or timeout is an error, by cause.
 */
export function countAnswers(instance: autocannon.Instance, run: CountedRun): void {
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
}
