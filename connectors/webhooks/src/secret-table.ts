import type { SecretsKey } from '@verity/core';
import { webhookSecretsOf, type WebhookSecretView } from '@verity/domain';
import { openedSecret, type OpenedSecret } from './signatures';
import { openSecret } from './webhook-secret';

interface Held {
  view: WebhookSecretView;
  opened?: OpenedSecret;
}

/** Stream of a tenant's secrets for a source, as the access context names it. */
const streamOf = (tenant: string, source: string): string => `${tenant}/webhooks-${source}`;

const valid = (held: Held, now: number): held is Required<Held> =>
  held.opened !== undefined && (held.view.expiresAt === undefined || Date.parse(held.view.expiresAt) > now);

/**
 * The webhook secrets of the access streams' newest snapshots, opened once when they arrive.
 * Pure apart from the clock a lookup is given: what `WebhookSecretDirectory` fills from Kafka.
 */
export class WebhookSecretTable {
  private readonly streams = new Map<string, { sequence: number; secrets: Held[] }>();

  /**
   * @param kek opens the sealed secrets; without it the table lists them only.
   * @param onUnsealable a secret that does not open under `kek` (sealed under another key) is left out, and said here.
   */
  constructor(
    private readonly kek?: SecretsKey,
    private readonly onUnsealable?: (secret: WebhookSecretView, error: Error) => void,
  ) {}

  /** Takes a stream's snapshot state, unless an newer one is held (a rewritten topic replaying older ones). */
  apply(streamId: string, sequence: number, state: unknown): void {
    const held = this.streams.get(streamId);
    if (held && held.sequence > sequence) return;
    const views = webhookSecretsOf(streamId, state);
    if (views.length === 0 && !held) return;
    // A secret already opened is not opened again: a snapshot changes one secret at a time.
    const before = new Map((held?.secrets ?? []).map((h) => [h.view.secretId, h]));
    const secrets = views.map((view) => {
      const known = before.get(view.secretId);
      return known && JSON.stringify(known.view) === JSON.stringify(view) ? known : this.open(view);
    });
    this.streams.set(streamId, { sequence, secrets });
  }

  /** Every secret, sealed, in no particular order. */
  list(): WebhookSecretView[] {
    return [...this.streams.values()].flatMap((s) => s.secrets.map((h) => h.view));
  }

  /** The secrets a tenant's deliveries from `source` may be signed with at `now` (two during a rotation). */
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
    if (!this.kek) return { view };
    try {
      const place = { tenant: view.tenant, source: view.source, secretId: view.secretId };
      return { view, opened: openedSecret(view.secretId, view.tenant, openSecret(this.kek, view.sealed, place)) };
    } catch (error) {
      this.onUnsealable?.(view, error as Error);
      return { view };
    }
  }
}
