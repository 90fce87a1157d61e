/** Retries of a source's request: how many, and the exponential delays between them. */
export interface BackoffPolicy {
  /** Attempts after the first. */
  retries: number;
  baseMs: number;
  maxMs: number;
}

/**
 * The wait before retry `attempt` (1 for the first retry): full jitter over an exponentially
 * growing window, capped, so pollers that failed together do not retry together.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const window = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  // Half fixed, half random: never a zero wait, and still spread.
  return Math.round(window / 2 + random() * (window / 2));
}

/**
 * What a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date; undefined when
 * absent or unreadable (the backoff then applies). Capped at `maxMs`.
 */
export function retryAfterMs(header: string | null | undefined, now: Date, maxMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now.getTime();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(maxMs, Math.max(0, ms));
}

/** Whether a source's answer is worth asking again: rate limits and its own failures, not our mistakes. */
export const retriableStatus = (status: number): boolean => status === 429 || status === 408 || status >= 500;
