import type { ContextDefinition } from '@verity/core';
import {
  cloudEventOf,
  deliverableContexts,
  deliverableEventTypes,
  enqueueDeliveries,
  outboxMigrations,
  type SubscriptionDirectory,
} from '@verity/connector-outbound';
import type { EventEnvelope, ProjectionOf } from '@verity/events';

export const OUTBOX_PROJECTION = 'webhook-outbox';

export interface OutboxProjectionOptions {
  contexts: readonly ContextDefinition[];
  directory: SubscriptionDirectory;
  /** How long a batch may wait for the subscriptions to be current. */
  catchUpTimeoutMs: number;
  /** Told after a commit that queued deliveries, so the workers send them at once. */
  onQueued(): void;
}

/**
 * The dispatcher's consumer, run by the projector runtime: per batch, ONE PostgreSQL transaction
 * queues a delivery for each event and each subscription it matches, and moves the checkpoint.
 * So an event is queued once, however often Kafka hands it over, and the workers send from
 * PostgreSQL: memory does not grow with history, and a receiver that is down only lengthens a
 * queue.
 */
export function outboxProjection(options: OutboxProjectionOptions): ProjectionOf<EventEnvelope, number> {
  const { directory } = options;
  const contexts = deliverableContexts(options.contexts);
  // When the last catch-up of the subscriptions began: they hold every subscription created before.
  let currentAt = 0;
  const matchesOf = async (event: EventEnvelope) => {
    const { metadata } = event;
    // An event newer than what the subscriptions are known to hold may be one a subscription
    // created just before it must get: read the subscriptions up to now first.
    if (Date.parse(metadata.time) >= currentAt) {
      const startedAt = Date.now();
      await directory.catchUp(options.catchUpTimeoutMs);
      currentAt = startedAt;
    }
    return directory.matching({
      type: event.type,
      streamId: metadata.subject,
      tenant: metadata.tenant,
      time: metadata.time,
    });
  };
  return {
    name: OUTBOX_PROJECTION,
    contexts: contexts.map((c) => c.name),
    events: deliverableEventTypes(contexts),
    migrations: outboxMigrations,
    // Most events go to no subscription: their batches then only move the checkpoint, no transaction.
    async select(events) {
      const taken: EventEnvelope[] = [];
      for (const event of events) if ((await matchesOf(event)).length > 0) taken.push(event);
      return taken;
    },
    async apply(store, event) {
      const { metadata } = event;
      const matches = await matchesOf(event);
      if (matches.length === 0) return [];
      const body = JSON.stringify(cloudEventOf(metadata, event.data));
      await enqueueDeliveries(
        store.db,
        store.schema,
        matches.map((s) => ({
          subscriptionId: s.subscriptionId,
          tenant: metadata.tenant,
          streamId: metadata.subject,
          eventId: metadata.id,
          eventType: event.type,
          body,
        })),
      );
      return [matches.length];
    },
    async publish(_store, _cache, changes) {
      if (changes.length > 0) options.onQueued();
    },
  };
}
