import {
  authorizationOf,
  backoffDelay,
  parsePage,
  retriableStatus,
  retryAfterMs,
  type BackoffPolicy,
  type Credential,
  type RecordKind,
  type SourcePage,
} from '@verity/connector-poller';
import { VerityError } from '@verity/core';

/** A source that did not answer a page: `status` is its HTTP status, absent for a network error. */
export class SourceRequestError extends VerityError {
  constructor(
    message: string,
    readonly status: number | undefined,
    retriable: boolean,
  ) {
    super('source_request_failed', message, { retriable, context: { status } });
  }
}

export interface SourceClientOptions {
  backoff: BackoffPolicy;
  timeoutMs: number;
  /** Called before each wait: what the logs and metrics say about retries. */
  onRetry?: (info: { kind: RecordKind; attempt: number; waitMs: number; status: number | undefined }) => void;
  /** Called for every answer (or `network` failure), for the requests counter. */
  onResponse?: (status: number | 'network') => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  random?: () => number;
}

export interface PageRequest {
  url: string;
  kind: RecordKind;
  pageSize: number;
  updatedSince?: string;
  page?: string;
  credential?: Credential;
}

/** The URL of a page: `<url>/<kind>?updated_since=...&page=...&page_size=...`. */
export function pageUrl(request: PageRequest): string {
  const url = new URL(`${request.url}/${request.kind}`);
  if (request.updatedSince !== undefined) url.searchParams.set('updated_since', request.updatedSince);
  if (request.page !== undefined) url.searchParams.set('page', request.page);
  url.searchParams.set('page_size', String(request.pageSize));
  return url.toString();
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads one page, retrying the source's own failures (5xx, 408, network) with exponential
 * backoff and jitter, and rate limits (429) after the `Retry-After` they ask for. A 4xx other
 * than those is the configuration's fault: not retried.
 */
export async function fetchPage(request: PageRequest, options: SourceClientOptions): Promise<SourcePage> {
  const { backoff, timeoutMs } = options;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => new Date());
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.credential) headers.authorization = authorizationOf(request.credential);
  const url = pageUrl(request);
  for (let attempt = 0; ; attempt += 1) {
    let failure: SourceRequestError;
    let asked: number | undefined;
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      options.onResponse?.(res.status);
      if (res.ok) return parsePage(await res.json());
      // Read and dropped, so the connection is reused.
      await res.arrayBuffer().catch(() => undefined);
      failure = new SourceRequestError(
        `${request.kind}: the source answered ${res.status}`,
        res.status,
        retriableStatus(res.status),
      );
      if (res.status === 429) asked = retryAfterMs(res.headers.get('retry-after'), now(), backoff.maxMs);
    } catch (error) {
      if (error instanceof VerityError) throw error;
      options.onResponse?.('network');
      // The URL and its query, never the headers: they carry the credential.
      failure = new SourceRequestError(`${request.kind}: ${(error as Error).message}`, undefined, true);
    }
    if (!failure.retriable || attempt >= backoff.retries) throw failure;
    const waitMs = asked ?? backoffDelay(attempt + 1, backoff, options.random);
    options.onRetry?.({ kind: request.kind, attempt: attempt + 1, waitMs, status: failure.status });
    await sleep(waitMs);
  }
}
