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
  /** The secrets before the last rotation that still sign beside the current one, until their instant. */
  private readonly previous = new Map<string, { secret: string; until: number }>();
  /** Per access stream: the newest snapshot's sequence, against a rewritten topic replaying older ones. */
  private readonly sequences = new Map<string, number>();
  private readonly reader: PartitionReader;
  private ready = false;

  constructor(private readonly options: SubscriptionDirectoryOptions) {
    this.reader = new PartitionReader({
      brokers: options.brokers,
      // A change's reply can arrive before its commit marker reaches the state topic: wait for the change itself.
      end: 'high',
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

  /**
   * The secrets (`whsec_...`) a delivery of the subscription is signed with at `now`: the current
   * one, then the previous one while a rotation's overlap lasts (past it, it is forgotten here).
   * Undefined when the current one did not open here.
   */
  secretsOf(subscriptionId: string, now = Date.now()): readonly string[] | undefined {
    const current = this.secrets.get(subscriptionId);
    if (current === undefined) return undefined;
    const previous = this.previous.get(subscriptionId);
    if (previous === undefined) return [current];
    if (now < previous.until) return [current, previous.secret];
    this.previous.delete(subscriptionId);
    return [current];
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
        this.previous.delete(id);
        continue;
      }
      this.subscriptions.set(subscription.subscriptionId, subscription);
      this.openSecret(subscription);
    }
  }

  private openSecret(subscription: WebhookSubscriptionView): void {
    const { kek } = this.options;
    if (!kek) return;
    const id = subscription.subscriptionId;
    this.previous.delete(id);
    try {
      const place = subscriptionSecretPlace(subscription.tenant, id);
      this.secrets.set(id, openText(kek, subscription.sealed, place));
      const { previous } = subscription;
      // An overlap already over is not opened at all.
      if (previous && Date.parse(previous.until) > Date.now())
        this.previous.set(id, { secret: openText(kek, previous.sealed, place), until: Date.parse(previous.until) });
    } catch (error) {
      this.secrets.delete(id);
      this.options.onUnsealable?.(subscription, error as Error);
    }
  }
}
