import { backoffDelay, retriableStatus, retryAfterMs } from './backoff';
import { CircuitBreaker } from './circuit-breaker';

const policy = { retries: 5, baseMs: 100, maxMs: 1_000 };

describe('backoffDelay', () => {
  it('doubles the window per attempt, jittered over its upper half, capped', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates, capped; nothing when absent or unreadable', () => {
    expect(retryAfterMs('2', now, 60_000)).toBe(2_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now, 60_000)).toBe(3_000);
    expect(retryAfterMs('3600', now, 60_000)).toBe(60_000);
    expect(retryAfterMs(null, now, 60_000)).toBeUndefined();
    expect(retryAfterMs('soon', now, 60_000)).toBeUndefined();
  });

  it('retries rate limits and server errors, not client errors', () => {
    expect([429, 500, 503, 408].every(retriableStatus)).toBe(true);
    expect([400, 401, 404].some(retriableStatus)).toBe(false);
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after the cool-down, and closes on a success', () => {
    const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 1_000 });
    breaker.failed(0);
    breaker.failed(1);
    expect(breaker.state(2)).toBe('closed');
    breaker.failed(2);
    expect(breaker.state(3)).toBe('open');
    expect(breaker.allows(500)).toBe(false);
    expect(breaker.state(1_002)).toBe('half-open');
    breaker.succeeded();
    expect(breaker.state(1_003)).toBe('closed');
  });

  it('opens again for a full cool-down when the trial fails', () => {
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 1_000 });
    breaker.failed(0);
    expect(breaker.allows(1_000)).toBe(true);
    breaker.failed(1_000);
    expect(breaker.state(1_500)).toBe('open');
    expect(breaker.state(2_000)).toBe('half-open');
  });
});
