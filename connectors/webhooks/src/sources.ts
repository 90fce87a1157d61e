import type { WebhookSource } from '@verity/domain';
import { dynamics365Topics } from './dynamics-365';
import type { TopicMapping } from './mapped-change';
import { netsuiteTopics } from './netsuite';
import { sapB1Topics } from './sap-b1';
import { shopifyTopics } from './shopify';

/** How a source signs its deliveries. */
export type SignatureScheme = 'shopify' | 'standard-webhooks';

export interface WebhookSourceSpec {
  scheme: SignatureScheme;
  topics: Readonly<Record<string, TopicMapping>>;
}

/** Every source `POST /webhooks/<source>/<topic>` takes, its signature scheme and its topics. */
export const WEBHOOK_SOURCE_SPECS: Readonly<Record<WebhookSource, WebhookSourceSpec>> = {
  netsuite: { scheme: 'standard-webhooks', topics: netsuiteTopics },
  shopify: { scheme: 'shopify', topics: shopifyTopics },
  'sap-b1': { scheme: 'standard-webhooks', topics: sapB1Topics },
  'dynamics-365': { scheme: 'standard-webhooks', topics: dynamics365Topics },
};

/** The spec of `source` and the mapping of its `topic`, or undefined for either unknown. */
export function topicOf(
  source: string,
  topic: string,
): { source: WebhookSource; spec: WebhookSourceSpec; map: TopicMapping } | undefined {
  if (!Object.hasOwn(WEBHOOK_SOURCE_SPECS, source)) return undefined;
  const spec = WEBHOOK_SOURCE_SPECS[source as WebhookSource];
  if (!Object.hasOwn(spec.topics, topic)) return undefined;
  return { source: source as WebhookSource, spec, map: spec.topics[topic]! };
}
