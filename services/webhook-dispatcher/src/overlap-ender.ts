import type { SubscriptionDirectory } from '@verity/connector-outbound';
import type { WebhookSubscriptionView } from '@verity/domain';
import type { Logger } from '@verity/events';

export interface OverlapEnderOptions {
  /** The subscriptions, with the previous secret a rotation keeps and until when. */
  directory: Pick<SubscriptionDirectory, 'list'>;
  /** How often to look for overlaps that are over. */
  everyMs: number;
  /** Asks for the previous secret to be dropped (the access command); the directory shows it once decided. */
  end(subscription: WebhookSubscriptionView, until: string): Promise<void>;
  logger: Logger;
}

/**
 * Ends rotations' overlaps once their instant has passed, so the previous secret, sealed in the
 * subscription's state, is gone from it rather than kept until the next rotation. Each overlap is
 * asked for once per dispatcher; another instance asking too is refused by the decider, which
 * ends only the overlap named and only once it is over. A failed request is asked again next turn.
 */
export function startOverlapEnder(options: OverlapEnderOptions): { stop(): Promise<void> } {
  const { directory, logger } = options;
  /** `<id> <until>` of the overlaps asked for and not yet seen ended. */
  let asked = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  const look = (): void => {
    running = running.then(async () => {
      const now = Date.now();
      const stillOpen = new Set<string>();
      for (const subscription of directory.list()) {
        const { previous } = subscription;
        if (!previous || Date.parse(previous.until) > now) continue;
        const key = `${subscription.subscriptionId} ${previous.until}`;
        stillOpen.add(key);
        if (asked.has(key)) continue;
        try {
          await options.end(subscription, previous.until);
        } catch (error) {
          stillOpen.delete(key);
          logger.warn({ err: error, subscriptionId: subscription.subscriptionId }, 'could not end a secret overlap');
        }
      }
      asked = stillOpen;
    });
  };
  const timer = setInterval(look, options.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
