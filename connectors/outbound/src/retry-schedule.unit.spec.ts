import { afterFailure, DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retry-schedule';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const schedule: RetrySchedule = { maxAttempts: 5, baseMs: 1000, maxMs: 5000 };
const delay = (attempts: number, random: () => number, retryAfter?: string) => {
  const next = afterFailure(attempts, schedule, NOW, retryAfter, random);
  return 'retryAt' in next ? next.retryAt.getTime() - NOW.getTime() : 'give up';
};

describe('afterFailure', () => {
  it('doubles the window each attempt, between half and all of it, capped', () => {
    expect([1, 2, 3, 4].map((n) => delay(n, () => 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((n) => delay(n, () => 1))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('gives up after the last attempt', () => {
    expect(delay(5, () => 0.5)).toBe('give up');
    expect(delay(4, () => 0.5)).not.toBe('give up');
  });

  it("waits longer when the receiver's Retry-After asks for it, never past the cap", () => {
    expect(delay(1, () => 0, '3')).toBe(3000);
    expect(delay(1, () => 0, '600')).toBe(5000);
    expect(delay(3, () => 1, '1')).toBe(4000);
  });

  it('spreads the default schedule over hours', () => {
    let total = 0;
    for (let n = 1; n < DEFAULT_RETRY_SCHEDULE.maxAttempts; n++) {
      const next = afterFailure(n, DEFAULT_RETRY_SCHEDULE, NOW, undefined, () => 1);
      if ('retryAt' in next) total += next.retryAt.getTime() - NOW.getTime();
    }
    expect(total / 3_600_000).toBeGreaterThan(5);
    expect(total / 3_600_000).toBeLessThan(10);
  });
});
