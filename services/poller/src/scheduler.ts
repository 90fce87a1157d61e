import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from '@verity/connector-poller';
import type { Logger } from '@verity/events';
import type { Pool, PoolClient } from 'pg';
import type { StoredSource, PollerStore } from './store';

export interface SchedulerOptions {
  store: PollerStore;
  /** Where the advisory locks are taken, on a connection of their own. */
  db: Pool;
  schema: string;
  tickMs: number;
  breaker: CircuitBreakerOptions;
  /** One poll of a source, every kind of it; throws when it failed. */
  poll(source: StoredSource): Promise<void>;
  onCircuit(source: StoredSource, state: CircuitState): void;
  onPoll(source: StoredSource, outcome: 'ok' | 'failed', seconds: number): void;
  logger: Logger;
  now?: () => Date;
}

const keyOf = (s: { tenant: string; source: string }) => `${s.tenant}/${s.source}`;

/**
 * Runs every configured source on its interval. Of several instances, one polls a source at a
 * time: the poll holds a PostgreSQL advisory lock named for the tenant and source (on a session
 * of its own, released when it ends or the session dies), and inside it claims the run in
 * `poller_runs`, so a source polled by another instance a moment ago is not polled again.
 */
export class PollScheduler {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private locks: PoolClient | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** Queries on the lock session, one after another: a pg client runs one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    await Promise.allSettled(this.running.values());
    await this.queue;
    // Released after the last unlock; a session left open would keep the pool from ending.
    this.locks?.release();
    this.locks = undefined;
  }

  /** The circuit of each source this instance has polled. */
  circuits(): Record<string, CircuitState> {
    const now = this.now().getTime();
    return Object.fromEntries([...this.breakers].map(([key, breaker]) => [key, breaker.state(now)]));
  }

  private breakerOf(source: StoredSource): CircuitBreaker {
    const key = keyOf(source);
    let breaker = this.breakers.get(key);
    if (!breaker) this.breakers.set(key, (breaker = new CircuitBreaker(this.options.breaker)));
    return breaker;
  }

  private async lockSession(): Promise<PoolClient> {
    if (this.locks) return this.locks;
    if (this.stopped) throw new Error('the poller is stopping');
    const client = await this.options.db.connect();
    // A lost session has lost its locks too: the next tick opens another.
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'advisory lock session lost');
      if (this.locks === client) this.locks = undefined;
    });
    this.locks = client;
    return client;
  }

  private async onSession<T>(query: (session: PoolClient) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => query(await this.lockSession()));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = this.dueSources().finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  private async dueSources(): Promise<void> {
    try {
      for (const source of await this.options.store.sources()) {
        const key = keyOf(source);
        const breaker = this.breakerOf(source);
        const now = this.now().getTime();
        this.options.onCircuit(source, breaker.state(now));
        if (this.stopped || this.running.has(key) || !breaker.allows(now)) continue;
        const run = this.run(source, breaker).finally(() => this.running.delete(key));
        this.running.set(key, run);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'poller tick failed');
    }
  }

  private async run(source: StoredSource, breaker: CircuitBreaker): Promise<void> {
    const lockName = `${this.options.schema}/poller/${keyOf(source)}`;
    try {
      const { rows } = await this.onSession((session) =>
        session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
          lockName,
        ]),
      );
      if (!rows[0]?.locked) return;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'advisory lock unavailable');
      return;
    }
    try {
      const started = this.now();
      if (!(await this.options.store.claimRun(source.tenant, source.source, source.intervalMs, started))) return;
      // Read again after the claim: the tick listed the source before it, and a configuration
      // set in between (the token it lacked) resets the run before this claim, so the stale one
      // would be polled and the new one wait a whole interval. A change after this read resets
      // the claimed run, and the next tick polls it.
      const current = await this.options.store.source(source.tenant, source.source);
      if (!current) return;
      try {
        await this.options.poll(current);
        const was = breaker.state(this.now().getTime());
        breaker.succeeded();
        if (was !== 'closed')
          this.options.logger.info({ tenant: source.tenant, source: source.source }, 'source circuit closed');
        this.options.onPoll(source, 'ok', (this.now().getTime() - started.getTime()) / 1000);
      } catch (error) {
        breaker.failed(this.now().getTime());
        const state = breaker.state(this.now().getTime());
        this.options.logger.warn(
          {
            err: error,
            tenant: source.tenant,
            source: source.source,
            circuit: state,
            consecutiveFailures: breaker.consecutiveFailures,
          },
          'poll failed',
        );
        this.options.onCircuit(source, state);
        this.options.onPoll(source, 'failed', (this.now().getTime() - started.getTime()) / 1000);
      }
    } finally {
      await this.onSession((session) =>
        session.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName]),
      ).catch(() => undefined);
    }
  }
}
