/**
 * How a failed delivery is tried again: exponential backoff with jitter between `baseMs` and
 * `maxMs`, at most `maxAttempts` attempts in all. The defaults (30 s doubling to 1 h, 12
 * attempts) spread the last attempt about 5 hours after the first: a receiver down for hours
 * still gets everything once back, and one down for good is given up in bounded time.
 */
export interface RetrySchedule {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { maxAttempts: 12, baseMs: 30_000, maxMs: 3_600_000 };

/** After a failed attempt: when to try again, or give up (the delivery is dead-lettered). */
export type AfterFailure = { retryAt: Date } | { giveUp: true };

/**
 * What a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date; undefined when
 * absent or unreadable.
 */
function retryAfterMs(header: string | null | undefined, now: Date): number | undefined {
  const trimmed = header?.trim();
  if (!trimmed) return undefined;
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now.getTime();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/**
 * What follows failed attempt number `attempts` (1 for the first): a wait drawn between half and
 * all of a window that doubles each attempt up to `maxMs` (never zero, and receivers that failed
 * together are not retried together). A receiver's `Retry-After` (on 429 and 503) is honoured
 * when it asks for longer, up to `maxMs`.
 */
export function afterFailure(
  attempts: number,
  schedule: RetrySchedule,
  now: Date,
  retryAfter?: string | null,
  random: () => number = Math.random,
): AfterFailure {
  if (attempts >= schedule.maxAttempts) return { giveUp: true };
  const window = Math.min(schedule.maxMs, schedule.baseMs * 2 ** (attempts - 1));
  const backoff = Math.round(window / 2 + random() * (window / 2));
  const asked = Math.min(schedule.maxMs, retryAfterMs(retryAfter, now) ?? 0);
  return { retryAt: new Date(now.getTime() + Math.max(backoff, asked)) };
}
