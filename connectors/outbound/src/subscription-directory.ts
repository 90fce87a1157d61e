import type { Admin } from 'kafkajs';
import { openText, type SecretsKey } from '@verity/core';
import {
  subscriptionMatches,
  subscriptionSecretPlace,
  webhookSubscriptionsOf,
  type MatchableEvent,
  type WebhookSubscriptionView,
} from '@verity/domain';
import { PartitionReader, fetchTopicOffsets, parseSnapshot, type KafkaSecurity, type ReadRecord } from '@verity/events';

export interface SubscriptionDirectoryOptions {
  brokers: readonly string[];
  admin: Admin;
  /** The access context's state topic, `contextTopics('access', prefix).state`; it must exist. */
  topic: string;
  clientId: string;
  security?: KafkaSecurity;
  /** Opens the signing secrets; without it the directory lists subscriptions only (the admin API). */
  kek?: SecretsKey;
  /** A secret that does not open under `kek`: the subscription is held back, and said here. */
  onUnsealable?(subscription: WebhookSubscriptionView, error: Error): void;
}

/**
 * Every live outbound webhook subscription, read from the access context's compacted state topic
 * as the API key directory reads keys: from the start, then each change as the processor commits
 * it. Subscriptions are few; their secrets are opened once, when read, and live only in memory.
 */
export class SubscriptionDirectory {
  private readonly subscriptions = new Map<string, WebhookSubscriptionView>();
  private readonly secrets = new Map<string, string>();
  /** Per access stream: the newest snapshot's sequence, against a rewritten topic replaying older ones. */
  private readonly sequences = new Map<string, number>();
  private readonly reader: PartitionReader;
  private ready = false;

  constructor(private readonly options: SubscriptionDirectoryOptions) {
    this.reader = new PartitionReader({
      brokers: options.brokers,
      admin: options.admin,
      topic: options.topic,
      clientId: options.clientId,
      ...(options.security ? { security: options.security } : {}),
      apply: async (records) => this.apply(records),
    });
  }

  async start(): Promise<void> {
    const offsets = await fetchTopicOffsets(this.options.admin, this.options.topic);
    await this.reader.start(new Map(offsets.map(({ partition }): [number, bigint] => [partition, 0n])));
    await this.reader.catchUp();
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.reader.stop();
  }

  isReady(): boolean {
    return this.ready;
  }

  /** Waits until every change committed up to now is held. */
  catchUp(timeoutMs?: number): Promise<void> {
    return this.reader.catchUp(undefined, timeoutMs);
  }

  get(subscriptionId: string): WebhookSubscriptionView | undefined {
    return this.subscriptions.get(subscriptionId);
  }

  /** Every live subscription, in no particular order. */
  list(): WebhookSubscriptionView[] {
    return [...this.subscriptions.values()];
  }

  /** The signing secret (`whsec_...`) of a subscription whose secret opened here. */
  secretOf(subscriptionId: string): string | undefined {
    return this.secrets.get(subscriptionId);
  }

  /** The subscriptions, enabled or not, an event goes to (a disabled one holds it until enabled). */
  matching(event: MatchableEvent): WebhookSubscriptionView[] {
    const found: WebhookSubscriptionView[] = [];
    for (const subscription of this.subscriptions.values())
      if (subscriptionMatches(subscription, event)) found.push(subscription);
    return found;
  }

  private apply(records: ReadRecord[]): void {
    for (const record of records) {
      const snapshot = parseSnapshot(record.value);
      const held = this.sequences.get(record.key);
      if (held !== undefined && held > snapshot.sequence) continue;
      this.sequences.set(record.key, snapshot.sequence);
      const [subscription] = webhookSubscriptionsOf(snapshot.streamId, snapshot.state);
      const id = record.key.slice(record.key.indexOf('/') + 1);
      if (!subscription) {
        this.subscriptions.delete(id);
        this.secrets.delete(id);
        continue;
      }
      this.subscriptions.set(subscription.subscriptionId, subscription);
      this.openSecret(subscription);
    }
  }

  private openSecret(subscription: WebhookSubscriptionView): void {
    const { kek } = this.options;
    if (!kek) return;
    try {
      const place = subscriptionSecretPlace(subscription.tenant, subscription.subscriptionId);
      this.secrets.set(subscription.subscriptionId, openText(kek, subscription.sealed, place));
    } catch (error) {
      this.secrets.delete(subscription.subscriptionId);
      this.options.onUnsealable?.(subscription, error as Error);
    }
  }
}
