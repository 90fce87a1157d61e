import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import knex from 'knex';
import { fromHeaders, VerityError } from '@verity/core';
import { subscriptionMatches, type WebhookSubscriptionView } from '@verity/domain';
import {
  cloudEventOf,
  DELIVERIES_TABLE,
  enqueueDeliveries,
  SubscriptionDirectory,
  UNDELIVERABLE_CONTEXTS,
  type NewDelivery,
} from '@verity/connector-outbound';
import { contextTopics, type PartitionRange } from '@verity/events';
import type { Platform } from '@verity/service-kit';
import { scanRange } from './range-scan';
import type { ReplayArgs } from './replay-args';

export class UnknownSubscriptionError extends VerityError {
  constructor(subscriptionId: string) {
    super('unknown_subscription', `no webhook subscription ${subscriptionId} (deleted, or never created)`, {
      context: { subscriptionId },
    });
  }
}

/** The range names a tenant or stream the subscription does not belong to: its events would go elsewhere. */
export class SubscriptionTenantMismatchError extends VerityError {
  constructor(subscription: WebhookSubscriptionView, named: string) {
    super(
      'subscription_tenant_mismatch',
      `subscription ${subscription.subscriptionId} is of tenant ${subscription.tenant}, not of ${named}`,
      { context: { subscriptionId: subscription.subscriptionId } },
    );
  }
}

export class UndeliverableContextError extends VerityError {
  constructor(context: string) {
    super('undeliverable_context', `the ${context} context's events are never delivered to webhooks`, {
      context: { context },
    });
  }
}

/** The dispatcher creates the outbox when it first starts; a replay only adds to it. */
export class OutboxMissingError extends VerityError {
  constructor(schema: string) {
    super(
      'outbox_missing',
      `no ${schema}.${DELIVERIES_TABLE}: start the webhook-dispatcher once (it creates the outbox), then replay`,
    );
  }
}

export interface WebhookReplayTarget {
  subscriptionId: string;
  databaseUrl: string;
  /** The schema of the dispatcher's outbox (its VERITY_DB_SCHEMA). */
  schema: string;
  brokers: readonly string[];
  topicPrefix: string;
}

/** Deliveries queued per INSERT. */
const QUEUE_BATCH = 500;

/** The subscription as the dispatcher holds it, read from the access context's state topic. */
async function readSubscription(
  platform: Platform,
  admin: Admin,
  target: WebhookReplayTarget,
): Promise<WebhookSubscriptionView> {
  const directory = new SubscriptionDirectory({
    brokers: target.brokers,
    admin,
    topic: contextTopics('access', target.topicPrefix).state,
    clientId: `${target.topicPrefix}.cli-replay.subscriptions.${randomUUID()}`,
    ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
  });
  await directory.start();
  try {
    const subscription = directory.get(target.subscriptionId);
    if (!subscription) throw new UnknownSubscriptionError(target.subscriptionId);
    return subscription;
  } finally {
    await directory.stop();
  }
}

/**
 * Queues the range's events the subscription takes (its tenant, event types and stream) in the
 * dispatcher's outbox, in log order, so its workers deliver them as they deliver new ones:
 * signed, in stream order, retried. Events from before the subscription was created are what a
 * replay is for, so its creation time does not filter them. Each keeps its `ce_id`, the
 * `webhook-id` a receiver deduplicates on. Returns how many were queued.
 */
export async function replayToWebhook(
  platform: Platform,
  admin: Admin,
  source: string,
  ranges: ReadonlyMap<number, PartitionRange>,
  replay: ReplayArgs,
  target: WebhookReplayTarget,
  progress: { write(text: string): unknown },
): Promise<number> {
  if (UNDELIVERABLE_CONTEXTS.has(replay.context)) throw new UndeliverableContextError(replay.context);
  const subscription = await readSubscription(platform, admin, target);
  if (replay.tenant !== undefined && replay.tenant !== subscription.tenant)
    throw new SubscriptionTenantMismatchError(subscription, `--tenant ${replay.tenant}`);
  if (replay.stream !== undefined && !replay.stream.startsWith(`${subscription.tenant}/`))
    throw new SubscriptionTenantMismatchError(subscription, `--stream ${replay.stream}`);
  const takes = { ...subscription, createdAt: new Date(0).toISOString() };

  const db = knex({ client: 'pg', connection: target.databaseUrl, pool: { min: 0, max: 2 } });
  try {
    if (!(await db.schema.withSchema(target.schema).hasTable(DELIVERIES_TABLE)))
      throw new OutboxMissingError(target.schema);
    let pending: NewDelivery[] = [];
    let queued = 0;
    const flush = async (): Promise<void> => {
      await enqueueDeliveries(db, target.schema, pending);
      queued += pending.length;
      pending = [];
    };
    await scanRange({
      kafka: platform.kafka,
      admin,
      topic: source,
      ranges,
      purpose: 'replay',
      progress,
      onRecord: async (message, partition) => {
        const where = { topic: source, partition, offset: message.offset };
        const metadata = fromHeaders(message.headers, where);
        if (replay.stream !== undefined && metadata.subject !== replay.stream) return;
        const event = { type: metadata.type, streamId: metadata.subject, tenant: metadata.tenant, time: metadata.time };
        if (!subscriptionMatches(takes, event)) return;
        const { value } = await platform.serde.decode(message.value, where);
        pending.push({
          subscriptionId: subscription.subscriptionId,
          tenant: metadata.tenant,
          streamId: metadata.subject,
          eventId: metadata.id,
          eventType: metadata.type,
          body: JSON.stringify(cloudEventOf(metadata, value)),
        });
        if (pending.length >= QUEUE_BATCH) await flush();
      },
    });
    await flush();
    return queued;
  } finally {
    await db.destroy();
  }
}
