import type { ProbeAnswer } from './supervise';

/** How much of an answer's body a failure's message quotes: /ready's checks name what is down. */
const ANSWER_LIMIT = 500;

/**
 * GET `<url><path>` (`/health`: it listens; `/ready`: its dependencies are up): yes on 200 (a
 * degraded service answers /ready with 200 too). Never throws.
 */
export async function probe(url: string, path: '/health' | '/ready', timeoutMs = 2000): Promise<ProbeAnswer> {
  try {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { ok: res.status === 200, answer: `${path} ${res.status} ${body.slice(0, ANSWER_LIMIT)}` };
  } catch (error) {
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED while the service starts).
    const { message, cause } = error as Error & { cause?: { code?: string } };
    return { ok: false, answer: `${path} ${cause?.code ?? message}` };
  }
}
