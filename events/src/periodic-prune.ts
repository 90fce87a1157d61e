import type { Counter } from 'prom-client';
import type { Logger } from './logger';

export interface PeriodicPruneOptions {
  /** What is pruned, as the log lines name it: "settled webhook deliveries". */
  what: string;
  /** Removes what is older than `before`; how many it removed. */
  prune(before: Date): Promise<number>;
  /** Kept this long. */
  retentionMs: number;
  /** How often to prune. */
  everyMs: number;
  pruned: Counter;
  logger: Logger;
}

/**
 * Prunes now and then every `everyMs`, so a table holds a window of history rather than all of
 * it. One prune at a time; a failed one is logged and tried again at the next turn. `stop`
 * waits for a prune under way.
 */
export function startPeriodicPrune(options: PeriodicPruneOptions): { stop(): Promise<void> } {
  const { what, retentionMs, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const prune = (): void => {
    running = running.then(async () => {
      try {
        const removed = await options.prune(new Date(Date.now() - retentionMs));
        options.pruned.inc(removed);
        if (removed > 0) logger.info({ removed, retentionMs }, `pruned ${what} past their retention`);
      } catch (error) {
        logger.warn({ err: error }, `pruning ${what} failed; trying again later`);
      }
    });
  };
  prune();
  const timer = setInterval(prune, options.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
