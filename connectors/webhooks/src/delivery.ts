import type { SourceChange } from '@verity/connector-intake';
import type { WebhookSource } from '@verity/domain';
import type { TopicMapping } from './mapped-change';

/** An authenticated delivery, its body parsed. */
export interface Delivery {
  source: WebhookSource;
  tenant: string;
  /** The sender's id of the delivery (`webhook-id`, `X-Shopify-Webhook-Id`): the same on its retries. */
  deliveryId: string;
  body: unknown;
  /** The secret that verified it: the actor the audit trail records. */
  secretId: string;
}

/** The command id of a delivery's change: `<source>:<delivery id>`, and `:<n>` when it holds several. */
export const commandIdOf = (source: string, deliveryId: string, index: number, of: number): string =>
  of === 1 ? `${source}:${deliveryId}` : `${source}:${deliveryId}:${index}`;

/**
 * The source changes a delivery means. Pure: the command ids come from the delivery id, so a
 * retried delivery becomes the same commands, which the processor answers from the stream.
 */
export function changesOfDelivery(delivery: Delivery, map: TopicMapping): SourceChange[] {
  const mapped = map(delivery.body);
  return mapped.map((change, index) => {
    const commandId = commandIdOf(delivery.source, delivery.deliveryId, index, mapped.length);
    return {
      type: change.type,
      payload: change.payload,
      tenant: delivery.tenant,
      commandId,
      sourceSystem: delivery.source,
      sourceTimestamp: change.sourceTimestamp,
      actor: `webhook:${delivery.secretId}`,
      correlationId: `${delivery.source}:${delivery.deliveryId}`,
    };
  });
}
