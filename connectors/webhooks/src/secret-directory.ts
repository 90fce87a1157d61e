import type { Admin } from 'kafkajs';
import { webhookSecretsOf, type WebhookSecretView } from '@verity/domain';
import { PartitionReader, fetchTopicOffsets, parseSnapshot, type KafkaSecurity, type ReadRecord } from '@verity/events';
import { openedSecret, type OpenedSecret } from './signatures';
import { openSecret, type SecretsKey } from './webhook-secret';

export interface WebhookSecretDirectoryOptions {
  brokers: readonly string[];
  admin: Admin;
  /** The access context's state topic, `contextTopics('access', prefix).state`; it must exist. */
  topic: string;
  clientId: string;
  security?: KafkaSecurity;
  /** Opens the sealed secrets; without it the directory lists them only (`verity webhooks secret list`). */
  kek?: SecretsKey;
  /** A secret that does not open under `kek` (sealed under another key): left out, and said here. */
  onUnsealable?(secret: WebhookSecretView, error: Error): void;
}

interface Held {
  view: WebhookSecretView;
  opened?: OpenedSecret;
}

/** Stream of a tenant's secrets for a source, as the access context names it. */
const streamOf = (tenant: string, source: string): string => `${tenant}/webhooks-${source}`;

const valid = (held: Held, now: number): held is Required<Held> =>
  held.opened !== undefined && (held.view.expiresAt === undefined || Date.parse(held.view.expiresAt) > now);

/**
 * Every webhook secret, read from the access context's compacted state topic into memory as the
 * API key directory reads keys: from the start, then each change as the processor commits it, so
 * a secret added or removed anywhere counts here within a fraction of a second. Secrets are
 * opened once, when read, and live only in this process's memory.
 */
export class WebhookSecretDirectory {
  private readonly streams = new Map<string, { sequence: number; secrets: Held[] }>();
  private readonly reader: PartitionReader;
  private ready = false;

  constructor(private readonly options: WebhookSecretDirectoryOptions) {
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

  catchUp(timeoutMs?: number): Promise<void> {
    return this.reader.catchUp(undefined, timeoutMs);
  }

  /** Every secret, sealed, in no particular order. */
  list(): WebhookSecretView[] {
    return [...this.streams.values()].flatMap((s) => s.secrets.map((h) => h.view));
  }

  /** The secrets a tenant's deliveries from `source` may be signed with now (two during a rotation). */
  secretsFor(tenant: string, source: string, now = Date.now()): OpenedSecret[] {
    return (this.streams.get(streamOf(tenant, source))?.secrets ?? [])
      .filter((h) => valid(h, now))
      .map((h) => h.opened);
  }

  /**
   * The Shopify secrets of a shop, in every tenant that named its domain: the one that verifies
   * the delivery tells the tenant, so a domain claimed by a second tenant cannot receive the first's.
   */
  shopSecrets(shopDomain: string, now = Date.now()): OpenedSecret[] {
    const domain = shopDomain.trim().toLowerCase();
    return [...this.streams.values()].flatMap((s) =>
      s.secrets
        .filter((h) => h.view.shopDomain === domain)
        .filter((h) => valid(h, now))
        .map((h) => h.opened),
    );
  }

  private open(view: WebhookSecretView): Held {
    const { kek } = this.options;
    if (!kek) return { view };
    try {
      const place = { tenant: view.tenant, source: view.source, secretId: view.secretId };
      return { view, opened: openedSecret(view.secretId, view.tenant, openSecret(kek, view.sealed, place)) };
    } catch (error) {
      this.options.onUnsealable?.(view, error as Error);
      return { view };
    }
  }

  private apply(records: ReadRecord[]): void {
    for (const record of records) {
      const snapshot = parseSnapshot(record.value);
      const held = this.streams.get(record.key);
      if (held && held.sequence > snapshot.sequence) continue;
      const views = webhookSecretsOf(snapshot.streamId, snapshot.state);
      if (views.length === 0 && !held) continue;
      // A secret already opened is not opened again: a snapshot changes one secret at a time.
      const before = new Map((held?.secrets ?? []).map((h) => [h.view.secretId, h]));
      const secrets = views.map((view) => {
        const known = before.get(view.secretId);
        return known && JSON.stringify(known.view) === JSON.stringify(view) ? known : this.open(view);
      });
      this.streams.set(record.key, { sequence: snapshot.sequence, secrets });
    }
  }
}
