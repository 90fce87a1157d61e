import { aliasResolveKey } from '@verity/projection-aliases-registry';

/** A projector's change notice, as published on `<prefix>:changes`: `{context, tenant, key, version, ...}`. */
export interface ChangeNotice {
  context: string;
  tenant: string;
  key: string;
  version: number;
  /** Set by the inventory, catalog, pricing and source-conflicts projections. */
  sku?: string;
  /** Set by the pricing projection. */
  priceListId?: string;
  /** Set by the source-conflicts projection: the conflict and the context it lives in (`catalog`, `inventory`). */
  conflictId?: string;
  conflictContext?: string;
}

/** Parses a notice; undefined for anything else on the channel. */
export function parseNotice(message: string): ChangeNotice | undefined {
  try {
    const n = JSON.parse(message) as Partial<ChangeNotice>;
    if (typeof n.context !== 'string' || typeof n.tenant !== 'string' || typeof n.key !== 'string' || typeof n.version !== 'number') return undefined;
    return {
      context: n.context,
      tenant: n.tenant,
      key: n.key,
      version: n.version,
      ...(typeof n.sku === 'string' ? { sku: n.sku } : {}),
      ...(typeof n.priceListId === 'string' ? { priceListId: n.priceListId } : {}),
      ...(typeof n.conflictId === 'string' ? { conflictId: n.conflictId } : {}),
      ...(typeof n.conflictContext === 'string' ? { conflictContext: n.conflictContext } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Notices of one product of the tenant (registered, updated, discontinued). */
export function productNotices(tenant: string, sku: string): (n: ChangeNotice) => boolean {
  return (n) => n.context === 'catalog' && n.tenant === tenant && n.sku === sku;
}

/** Notices of the tenant's conflicts between source systems, of one SKU and of one context when given. */
export function conflictNotices(tenant: string, filter: { sku?: string; context?: string }): (n: ChangeNotice) => boolean {
  return (n) =>
    n.context === 'conflicts' &&
    n.tenant === tenant &&
    n.conflictId !== undefined &&
    (filter.sku === undefined || n.sku === filter.sku) &&
    (filter.context === undefined || n.conflictContext === filter.context);
}

/** The alias context and alias of an aliases notice's key (`<prefix>:aliases:resolve:<tenant>:<context>:<alias>`). */
export function aliasOfKey(keyPrefix: string, tenant: string, key: string): { context: string; alias: string } | undefined {
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
  private readonly listeners = new Set<{ accept: (n: ChangeNotice) => boolean; push: (n: ChangeNotice) => void; stop: () => void }>();

  publish(notice: ChangeNotice): void {
    for (const l of this.listeners) if (l.accept(notice)) l.push(notice);
  }

  /**
   * A stream of the notices `accept` lets through. It listens from this call on (not from the
   * first `next()`), so nothing published after the subscription was set up is missed. A slow
   * reader keeps the newest MAX_QUEUED notices.
   */
  subscribe(accept: (notice: ChangeNotice) => boolean): AsyncIterableIterator<ChangeNotice> {
    const queue: ChangeNotice[] = [];
    let waiting: ((result: IteratorResult<ChangeNotice>) => void) | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.listeners.delete(listener);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    };
    const listener = {
      accept,
      push: (notice: ChangeNotice) => {
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
    const iterator: AsyncIterableIterator<ChangeNotice> = {
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
