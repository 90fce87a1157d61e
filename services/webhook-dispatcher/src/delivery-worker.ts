import type { Knex } from 'knex';
import type { Counter } from 'prom-client';
import {
  afterFailure,
  countFailures,
  failureRuns,
  nextDeliveries,
  recordAttempts,
  resumeSubscription,
  type AttemptOutcome,
  type DeliverySender,
  type QueuedDelivery,
  type RetrySchedule,
  type SubscriptionDirectory,
} from '@verity/connector-outbound';
import type { WebhookSubscriptionView } from '@verity/domain';
import type { Logger } from '@verity/events';

export interface DeliveryWorkerOptions {
  db: Knex;
  schema: string;
  /** The subscriptions and their opened secrets. */
  directory: Pick<SubscriptionDirectory, 'get' | 'list' | 'secretOf'>;
  sender: DeliverySender;
  schedule: RetrySchedule;
  /** Failed attempts in a row after which a subscription is disabled. */
  disableAfter: number;
  /** Lanes sent to at the same time. */
  concurrency: number;
  /** Deliveries a lane sends before it yields. */
  laneBatch: number;
  /** How often due retries are looked for when nothing wakes the worker. */
  pollMs: number;
  /** Asks for the subscription to be disabled (the access command); the directory shows it once decided. */
  disable(subscription: WebhookSubscriptionView, failures: number): Promise<void>;
  attempts: Counter<'outcome'>;
  logger: Logger;
}

const laneOf = (d: Pick<QueuedDelivery, 'subscriptionId' | 'streamId'>): string => `${d.subscriptionId} ${d.streamId}`;

/**
 * Sends the queued deliveries. A lane is one subscription's deliveries of one stream: it sends
 * in order, one at a time, and stops at a failure until that delivery's retry is due, so a
 * stream's events arrive in order; lanes run side by side, up to `concurrency`. Attempts are
 * recorded after they are made: a crash between the two sends again (at least once).
 */
export class DeliveryWorker {
  private readonly busy = new Set<string>();
  /** Each subscription's failed attempts in a row, as stored. */
  private runs = new Map<string, number>();
  /** Subscriptions seen disabled: one seen enabled again is resumed. */
  private readonly seenDisabled = new Set<string>();
  private readonly disabling = new Set<string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: DeliveryWorkerOptions) {}

  async start(): Promise<void> {
    this.runs = await failureRuns(this.options.db, this.options.schema);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    while (this.busy.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Something was queued or a lane finished: look again now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      try {
        await this.round();
      } catch (error) {
        this.options.logger.error({ err: error }, 'delivery round failed; trying again');
      }
      if (!this.running || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** The subscriptions that may be sent to now; re-enabled ones are resumed on the way. */
  private async sendable(): Promise<string[]> {
    const { directory, disableAfter, db, schema } = this.options;
    const ids: string[] = [];
    for (const subscription of directory.list()) {
      const id = subscription.subscriptionId;
      if (!subscription.enabled) {
        this.seenDisabled.add(id);
        continue;
      }
      // Enabled again after we saw it disabled, or while we were not running (its run still at the bound).
      if (this.seenDisabled.has(id) || (!this.disabling.has(id) && (this.runs.get(id) ?? 0) >= disableAfter)) {
        await resumeSubscription(db, schema, id);
        this.seenDisabled.delete(id);
        this.disabling.delete(id);
        this.runs.set(id, 0);
        this.options.logger.info({ subscriptionId: id }, 'webhook subscription enabled: delivering what it held');
      }
      if (this.disabling.has(id)) continue;
      if (directory.secretOf(id) !== undefined) ids.push(id);
    }
    return ids;
  }

  private async round(): Promise<void> {
    const free = this.options.concurrency - this.busy.size;
    if (free <= 0) return;
    const subscriptions = await this.sendable();
    const queued = await nextDeliveries(this.options.db, this.options.schema, {
      subscriptions,
      busy: [...this.busy],
      perLane: this.options.laneBatch,
      lanes: free,
    });
    const lanes = new Map<string, QueuedDelivery[]>();
    for (const delivery of queued) {
      const lane = laneOf(delivery);
      const held = lanes.get(lane);
      if (held) held.push(delivery);
      else lanes.set(lane, [delivery]);
    }
    for (const [lane, deliveries] of lanes) {
      this.busy.add(lane);
      void this.sendLane(deliveries)
        .catch((error: unknown) => this.options.logger.error({ err: error, lane }, 'delivery lane failed'))
        .finally(() => {
          this.busy.delete(lane);
          this.wake();
        });
    }
  }

  private async sendLane(deliveries: QueuedDelivery[]): Promise<void> {
    const { directory, sender, schedule, attempts } = this.options;
    const subscriptionId = deliveries[0]!.subscriptionId;
    const outcomes: AttemptOutcome[] = [];
    let succeeded = false;
    let failedSince = 0;
    for (const delivery of deliveries) {
      const subscription = directory.get(subscriptionId);
      const secret = directory.secretOf(subscriptionId);
      if (!this.running || !subscription?.enabled || secret === undefined || this.disabling.has(subscriptionId)) break;
      const result = await sender.send(subscription.url, secret, delivery.eventId, delivery.body);
      if (result.ok) {
        outcomes.push({ deliveryId: delivery.deliveryId, outcome: 'delivered', status: result.status });
        attempts.inc({ outcome: 'delivered' });
        succeeded = true;
        failedSince = 0;
        continue;
      }
      failedSince++;
      const next = afterFailure(delivery.attempts + 1, schedule, new Date(), result.retryAfter);
      const failure = { deliveryId: delivery.deliveryId, status: result.status, error: result.error };
      if ('giveUp' in next) {
        // Given up: kept as a dead letter (status dead), and the stream's next event goes on.
        outcomes.push({ ...failure, outcome: 'dead' });
        attempts.inc({ outcome: 'dead' });
        this.options.logger.warn(
          { subscriptionId, deliveryId: delivery.deliveryId, error: result.error },
          'delivery given up',
        );
        continue;
      }
      outcomes.push({ ...failure, outcome: 'retry', retryAt: next.retryAt });
      attempts.inc({ outcome: 'failed' });
      break;
    }
    if (outcomes.length === 0) return;
    await recordAttempts(this.options.db, this.options.schema, outcomes);
    await this.countRun(subscriptionId, succeeded, failedSince);
  }

  /** Keeps the subscription's run of failures; at the bound, asks for it to be disabled. */
  private async countRun(subscriptionId: string, succeeded: boolean, failed: number): Promise<void> {
    const { db, schema, disableAfter } = this.options;
    if (succeeded && (this.runs.get(subscriptionId) ?? 0) > 0) {
      await countFailures(db, schema, subscriptionId, 0);
      this.runs.set(subscriptionId, 0);
    }
    if (failed === 0) return;
    const run = await countFailures(db, schema, subscriptionId, failed);
    this.runs.set(subscriptionId, run);
    const subscription = this.options.directory.get(subscriptionId);
    if (run < disableAfter || !subscription || this.disabling.has(subscriptionId)) return;
    this.disabling.add(subscriptionId);
    this.options.logger.warn(
      { subscriptionId, failures: run },
      'disabling webhook subscription after failures in a row',
    );
    await this.options.disable(subscription, run).catch((error: unknown) => {
      this.disabling.delete(subscriptionId);
      this.options.logger.error({ err: error, subscriptionId }, 'could not disable webhook subscription');
    });
  }
}
