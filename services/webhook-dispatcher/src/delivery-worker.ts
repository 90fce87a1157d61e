import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type { Counter } from 'prom-client';
import {
  afterFailure,
  claimLanes,
  countFailures,
  failureRuns,
  pendingOf,
  recordAttempts,
  renewLease,
  resumeSubscription,
  type AttemptOutcome,
  type DeliverySender,
  type Lane,
  type RetrySchedule,
  type SubscriptionDirectory,
} from '@verity/connector-outbound';
import type { WebhookSubscriptionView } from '@verity/domain';
import type { Logger } from '@verity/events';

export interface DeliveryWorkerOptions {
  db: Knex;
  schema: string;
  /** The subscriptions and their opened secrets. */
  directory: Pick<SubscriptionDirectory, 'get' | 'list' | 'secretsOf'>;
  sender: Pick<DeliverySender, 'send'>;
  schedule: RetrySchedule;
  /** Failed attempts in a row after which a subscription is disabled. */
  disableAfter: number;
  /** Lanes sent to at the same time. */
  concurrency: number;
  /** Deliveries a lane sends before it yields. */
  laneBatch: number;
  /**
   * How long a claimed lane stays this worker's without renewal; renewed before a send once half
   * of it is gone, so it must exceed twice the sender's attempt timeout. A crashed worker's lanes
   * are taken over after it.
   */
  leaseMs: number;
  /** How often due retries are looked for when nothing wakes the worker. */
  pollMs: number;
  /** Asks for the subscription to be disabled (the access command); the directory shows it once decided. */
  disable(subscription: WebhookSubscriptionView, failures: number): Promise<void>;
  attempts: Counter<'outcome'>;
  logger: Logger;
}

const laneOf = (lane: Lane): string => `${lane.subscriptionId} ${lane.streamId}`;

/**
 * Sends the queued deliveries. A lane is one subscription's deliveries of one stream: it sends
 * in order, one at a time, and stops at a failure until that delivery's retry is due, so a
 * stream's events arrive in order; lanes run side by side, up to `concurrency`. Several workers
 * (dispatcher instances) share the outbox: each lane is sent by the one worker holding its lease
 * in PostgreSQL, which sends only while the lease is live. Attempts are recorded after they are
 * made, with the lease's end: a crash between the two sends again once the lease expires (at
 * least once).
 */
export class DeliveryWorker {
  /** This worker's name on the leases it holds. */
  readonly owner = randomUUID();
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
    // The owner names this instance on the lane leases it holds (`webhook_lane_leases.owner`).
    this.options.logger.info({ owner: this.owner }, 'delivery worker started');
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
      if (directory.secretsOf(id) !== undefined) ids.push(id);
    }
    return ids;
  }

  private async round(): Promise<void> {
    const { db, schema, leaseMs } = this.options;
    const free = this.options.concurrency - this.busy.size;
    if (free <= 0) return;
    const subscriptions = await this.sendable();
    // Taken before the claim: the lease expires no sooner than this plus leaseMs on PostgreSQL's clock.
    const claimedAt = performance.now();
    const claimed = await claimLanes(db, schema, {
      owner: this.owner,
      leaseMs,
      subscriptions,
      busy: [...this.busy],
      lanes: free,
    });
    // Each lane reads its own deliveries: rounds run one after another, lanes side by side.
    for (const lane of claimed) {
      const key = laneOf(lane);
      this.busy.add(key);
      void this.sendLane(lane, claimedAt + leaseMs)
        .catch((error: unknown) => this.options.logger.error({ err: error, lane: key }, 'delivery lane failed'))
        .finally(() => {
          this.busy.delete(key);
          this.wake();
        });
    }
  }

  /**
   * Whether the lane may send once more: its lease (ending at `leased.until`, on the local
   * monotonic clock) has more than half its length left, or was renewed. A lane that lost its
   * lease sends nothing more: another worker has it, or will once it expires.
   */
  private async stillLeased(lane: Lane, leased: { until: number }): Promise<boolean> {
    const { db, schema, leaseMs } = this.options;
    if (leased.until - performance.now() > leaseMs / 2) return true;
    const renewedAt = performance.now();
    if (!(await renewLease(db, schema, this.owner, lane, leaseMs))) return false;
    leased.until = renewedAt + leaseMs;
    return true;
  }

  private async sendLane(lane: Lane, leasedUntil: number): Promise<void> {
    const { db, schema, directory, sender, schedule, attempts, logger } = this.options;
    const { subscriptionId } = lane;
    // None when its head was sent since it was chosen: the record below then only ends the lease.
    const deliveries = await pendingOf(db, schema, lane, this.options.laneBatch);
    const leased = { until: leasedUntil };
    const outcomes: AttemptOutcome[] = [];
    let succeeded = false;
    let failedSince = 0;
    for (const delivery of deliveries) {
      const subscription = directory.get(subscriptionId);
      const secrets = directory.secretsOf(subscriptionId);
      if (!this.running || !subscription?.enabled || secrets === undefined || this.disabling.has(subscriptionId)) break;
      if (!(await this.stillLeased(lane, leased))) {
        logger.warn({ ...lane }, 'delivery lane lease lost: its next owner sends the rest');
        break;
      }
      const result = await sender.send(subscription.url, secrets, delivery.eventId, delivery.body);
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
        logger.warn({ subscriptionId, deliveryId: delivery.deliveryId, error: result.error }, 'delivery given up');
        continue;
      }
      outcomes.push({ ...failure, outcome: 'retry', retryAt: next.retryAt });
      attempts.inc({ outcome: 'failed' });
      break;
    }
    if (!(await recordAttempts(db, schema, this.owner, lane, outcomes))) {
      if (outcomes.length > 0)
        logger.warn({ ...lane, sent: outcomes.length }, 'delivery lane lease ran out before its record: sent again');
      return;
    }
    if (outcomes.length > 0) await this.countRun(subscriptionId, succeeded, failedSince);
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
