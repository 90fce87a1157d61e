export interface RetryOptions {
  /** Attempts in all, the first included. Default 6. */
  attempts?: number;
  /** Delay before the second attempt, in ms; doubles each time. Default 100. */
  initialDelayMs?: number;
  /** Upper bound of one delay, in ms. Default 5000. */
  maxDelayMs?: number;
  /** Which errors are worth another attempt. Default: VerityError.retriable or kafkajs' `retriable`. */
  isRetriable?: (error: unknown) => boolean;
}

const defaultIsRetriable = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;

/**
 * The one retry loop: exponential backoff with full jitter and a cap, retrying only what is
 * retriable; when it gives up, the last error is thrown as it was, keeping its cause.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const initial = options.initialDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5000;
  const isRetriable = options.isRetriable ?? defaultIsRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetriable(error)) throw error;
      const ceiling = Math.min(cap, initial * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
