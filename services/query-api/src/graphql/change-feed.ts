import { parseChangeNotice, type ChangeNotice, type ChangeNoticeOf } from '@verity/events';
import { aliasResolveKey } from '@verity/projection-aliases-registry';

export type { ChangeNotice, ChangeNoticeOf };

/** Parses a projector's notice from `<prefix>:changes`; undefined for anything else on the channel. */
export { parseChangeNotice as parseNotice };

/** A subscription's filter, which also says which read model's notices it lets through. */
export type NoticeFilter<Notice extends ChangeNotice> = (notice: ChangeNotice) => notice is Notice;

/** Notices of one SKU's stock of the tenant. */
export function stockNotices(tenant: string, sku: string): NoticeFilter<ChangeNoticeOf<'inventory'>> {
  return (n): n is ChangeNoticeOf<'inventory'> => n.context === 'inventory' && n.tenant === tenant && n.sku === sku;
}

/** Notices of one product of the tenant (registered, updated, discontinued). */
export function productNotices(tenant: string, sku: string): NoticeFilter<ChangeNoticeOf<'catalog'>> {
  return (n): n is ChangeNoticeOf<'catalog'> => n.context === 'catalog' && n.tenant === tenant && n.sku === sku;
}

/** Notices of the tenant's conflicts between source systems, of one SKU and of one context when given. */
export function conflictNotices(
  tenant: string,
  filter: { sku?: string; context?: string },
): NoticeFilter<ChangeNoticeOf<'conflicts'>> {
  return (n): n is ChangeNoticeOf<'conflicts'> =>
    n.context === 'conflicts' &&
    n.tenant === tenant &&
    (filter.sku === undefined || n.sku === filter.sku) &&
    (filter.context === undefined || n.conflictContext === filter.context);
}

/** Notices of the tenant's aliases whose key names an alias, of one alias context when given. */
export function aliasNotices(
  keyPrefix: string,
  tenant: string,
  context?: string | null,
): NoticeFilter<ChangeNoticeOf<'aliases'>> {
  return (n): n is ChangeNoticeOf<'aliases'> => {
    if (n.context !== 'aliases' || n.tenant !== tenant) return false;
    const of = aliasOfKey(keyPrefix, tenant, n.key);
    return of !== undefined && (!context || of.context === context);
  };
}

/** The alias context and alias of an aliases notice's key (`<prefix>:aliases:resolve:<tenant>:<context>:<alias>`). */
export function aliasOfKey(
  keyPrefix: string,
  tenant: string,
  key: string,
): { context: string; alias: string } | undefined {
  const base = aliasResolveKey(keyPrefix, tenant, '', '').slice(0, -1);
  if (!key.startsWith(base)) return undefined;
  const rest = key.slice(base.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return undefined;
  const context = rest.slice(0, colon);
  const alias = rest.slice(colon + 1);
  return aliasResolveKey(keyPrefix, tenant, context, alias) === key ? { context, alias } : undefined;
}

/**
 * Fans the notices of the Redis subscriber out to GraphQL subscriptions, each with its own
 * filter. `close()` ends every stream (the service stops).
 */
const MAX_QUEUED = 1000;

export class ChangeFeed {
  private readonly listeners = new Set<{ deliver: (n: ChangeNotice) => void; stop: () => void }>();

  publish(notice: ChangeNotice): void {
    for (const l of this.listeners) l.deliver(notice);
  }

  /**
   * A stream of the notices `accept` lets through. It listens from this call on (not from the
   * first `next()`), so nothing published after the subscription was set up is missed. A slow
   * reader keeps the newest MAX_QUEUED notices.
   */
  subscribe<Notice extends ChangeNotice>(accept: NoticeFilter<Notice>): AsyncIterableIterator<Notice>;
  subscribe(accept: (notice: ChangeNotice) => boolean): AsyncIterableIterator<ChangeNotice>;
  subscribe<Notice extends ChangeNotice>(accept: NoticeFilter<Notice>): AsyncIterableIterator<Notice> {
    const queue: Notice[] = [];
    let waiting: ((result: IteratorResult<Notice>) => void) | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.listeners.delete(listener);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    };
    const listener = {
      deliver: (notice: ChangeNotice) => {
        if (!accept(notice)) return;
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ value: notice, done: false });
        } else {
          queue.push(notice);
          if (queue.length > MAX_QUEUED) queue.shift();
        }
      },
      stop: finish,
    };
    this.listeners.add(listener);
    const iterator: AsyncIterableIterator<Notice> = {
      next: () => {
        const queued = queue.shift();
        if (queued) return Promise.resolve({ value: queued, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
      return: () => {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (error: unknown) => {
        finish();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Number of open subscriptions. */
  get size(): number {
    return this.listeners.size;
  }

  close(): void {
    for (const l of [...this.listeners]) l.stop();
  }
}
