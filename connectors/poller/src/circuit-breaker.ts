/** `closed`: polls run; `open`: none until the cool-down ends; `half-open`: one trial poll. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed polls that open the circuit. */
  threshold: number;
  cooldownMs: number;
}

/**
 * One source's circuit: a source that keeps failing is left alone for a while instead of being
 * hammered each interval, then tried once. Time is passed in, so the transitions are testable.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;

  constructor(private readonly options: CircuitBreakerOptions) {}

  state(now: number): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return now - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a poll may run now. */
  allows(now: number): boolean {
    return this.state(now) !== 'open';
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
  }

  /** A failed poll; a failed trial (half-open) opens the circuit again for a full cool-down. */
  failed(now: number): void {
    this.failures += 1;
    if (this.openedAt !== undefined || this.failures >= this.options.threshold) this.openedAt = now;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
