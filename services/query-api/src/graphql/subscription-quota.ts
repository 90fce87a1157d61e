import { GraphQLError } from 'graphql';
import { z } from 'zod';

export const subscriptionQuotaEnvSchema = z.object({
  /** GraphQL subscriptions one credential may hold open at once, per instance; more are refused (429). Default 20. */
  VERITY_GRAPHQL_SUBSCRIPTIONS_PER_CREDENTIAL: z.coerce.number().int().min(1).max(10_000).default(20),
});

/**
 * Open subscriptions per holder (a credential), on this instance. A subscription is one SSE
 * request, so the guard already charged it to the credential's rate limit; this bounds what it
 * keeps open afterwards, which a rate limit does not see.
 */
export class SubscriptionQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Subscriptions `holder` has open. */
  openOf(holder: string): number {
    return this.open.get(holder) ?? 0;
  }

  /**
   * The stream `start` opens, counted for `holder` until it ends (done, returned or thrown: the
   * client went away); refused with a GraphQL error `RATE_LIMITED` (HTTP 429) when `holder`
   * already holds the maximum.
   */
  async hold<T>(
    holder: string,
    start: () => AsyncIterableIterator<T> | Promise<AsyncIterableIterator<T>>,
  ): Promise<AsyncIterableIterator<T>> {
    const held = this.openOf(holder);
    if (held >= this.max)
      throw new GraphQLError(`at most ${this.max} subscriptions may be open at once per credential`, {
        extensions: { code: 'RATE_LIMITED', limit: this.max, http: { status: 429 } },
      });
    this.open.set(holder, held + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = this.openOf(holder) - 1;
      if (left > 0) this.open.set(holder, left);
      else this.open.delete(holder);
    };
    let stream: AsyncIterableIterator<T>;
    try {
      stream = await start();
    } catch (error) {
      release();
      throw error;
    }
    const counted: AsyncIterableIterator<T> = {
      next: async () => {
        try {
          const result = await stream.next();
          if (result.done) release();
          return result;
        } catch (error) {
          release();
          throw error;
        }
      },
      return: async (value?: unknown) => {
        release();
        return stream.return ? stream.return(value) : { value: undefined, done: true };
      },
      throw: async (error?: unknown) => {
        release();
        if (stream.throw) return stream.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]: () => counted,
    };
    return counted;
  }
}
